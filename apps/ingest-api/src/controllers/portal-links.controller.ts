import {
  Controller,
  Get,
  Headers,
  HttpCode,
  Inject,
  Param,
  Post,
  Put,
  UseGuards,
} from '@nestjs/common';
import {
  createPortalLinkBodySchema,
  pageSchema,
  portalLinkListQuerySchema,
  portalLinkResponseSchema,
  portalLinkTokenResponseSchema,
  updatePortalLinkBodySchema,
  type CreatePortalLinkBody,
  type Page,
  type PortalLinkListQuery,
  type PortalLinkResponse,
  type UpdatePortalLinkBody,
} from '@flotilla/contracts';
import { ApiOperation } from '@flotilla/openapi';
import { PortalLinksService } from '@flotilla/management';
import { ProjectGuard } from '../http/auth.guard';
import { ok, type Envelope } from '../http/envelope';
import { JsonBody, ValidQuery, type ParsedBody } from '../http/json-body';
import { PUBLIC_URL, publicBaseUrl } from '../http/public-url';

/**
 * Convoy's portal links. A link's token (and its `url`) is in the answer that made it only (create,
 * refresh_token): like API keys, only a hash of it is kept.
 */
@Controller('api/v1/projects/:projectID/portal-links')
@UseGuards(ProjectGuard)
export class PortalLinksController {
  constructor(
    private readonly links: PortalLinksService,
    @Inject(PUBLIC_URL) private readonly publicUrl: string | undefined,
  ) {}

  @ApiOperation({ summary: 'Create a portal link', data: portalLinkResponseSchema })
  @Post()
  @HttpCode(201)
  async create(
    @Param('projectID') projectId: string,
    @JsonBody(createPortalLinkBodySchema) body: ParsedBody<CreatePortalLinkBody>,
    @Headers('host') host?: string,
    @Headers('x-forwarded-proto') proto?: string,
  ): Promise<Envelope<PortalLinkResponse>> {
    const baseUrl = publicBaseUrl(this.publicUrl, host, proto);
    return ok(
      'Portal link created successfully',
      await this.links.create(projectId, body.value, baseUrl),
    );
  }

  @ApiOperation({ summary: 'List portal links', data: pageSchema(portalLinkResponseSchema) })
  @Get()
  async list(
    @Param('projectID') projectId: string,
    @ValidQuery(portalLinkListQuerySchema) query: PortalLinkListQuery,
  ): Promise<Envelope<Page<PortalLinkResponse>>> {
    const page = await this.links.list(projectId, query);
    return ok('Portal links fetched successfully', {
      content: page.rows,
      pagination: {
        per_page: query.perPage,
        has_next_page: page.hasNext,
        has_prev_page: page.hasPrev,
        next_page_cursor: page.rows.at(-1)?.uid ?? '',
        prev_page_cursor: page.rows[0]?.uid ?? '',
      },
    });
  }

  @ApiOperation({ summary: 'Get a portal link', data: portalLinkResponseSchema })
  @Get(':portalLinkID')
  async get(
    @Param('projectID') projectId: string,
    @Param('portalLinkID') id: string,
  ): Promise<Envelope<PortalLinkResponse>> {
    return ok('Portal link fetched successfully', await this.links.get(projectId, id));
  }

  /**
   * A new token; the old one stops working. Convoy's `RefreshPortalLinkAuthToken`
   * (api/handlers/portal_link.go) answers the token itself as `data`; the portal's address is
   * `/ui/portal?token=<token>` on this host.
   */
  @ApiOperation({ summary: "Replace a portal link's token", data: portalLinkTokenResponseSchema })
  @Get(':portalLinkID/refresh_token')
  async refreshToken(
    @Param('projectID') projectId: string,
    @Param('portalLinkID') id: string,
  ): Promise<Envelope<string>> {
    return ok(
      'Portal link token refreshed successfully',
      await this.links.refreshToken(projectId, id),
    );
  }

  @ApiOperation({ summary: 'Update a portal link', data: portalLinkResponseSchema })
  @Put(':portalLinkID')
  @HttpCode(202)
  async update(
    @Param('projectID') projectId: string,
    @Param('portalLinkID') id: string,
    @JsonBody(updatePortalLinkBodySchema) body: ParsedBody<UpdatePortalLinkBody>,
  ): Promise<Envelope<PortalLinkResponse>> {
    return ok(
      'Portal link updated successfully',
      await this.links.update(projectId, id, body.value),
    );
  }

  @ApiOperation({ summary: 'Revoke a portal link' })
  @Put(':portalLinkID/revoke')
  async revoke(
    @Param('projectID') projectId: string,
    @Param('portalLinkID') id: string,
  ): Promise<Envelope<null>> {
    await this.links.revoke(projectId, id);
    return ok('Portal link revoked successfully', null);
  }
}
