-- Key names are unique per project (a duplicate is answered 409); the unique index also serves
-- every lookup by project, so the plain project_id index goes.

-- DropIndex
DROP INDEX "api_keys_project_id_idx";

-- CreateIndex
CREATE UNIQUE INDEX "api_keys_project_id_name_key" ON "api_keys"("project_id", "name");
