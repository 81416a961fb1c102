import { apiClient, unwrap } from '../api/client';
import type { EventType } from '../api/types';
import { Catalog } from '../components/catalog';
import { ErrorNote, Loading } from '../components/ui';
import { useLoad } from '../hooks';

/** The events the customer may receive: each type's schema and an example payload. */
export function PortalCatalogPage({ token }: { token: string }) {
  const types = useLoad(
    () => unwrap<EventType[]>(apiClient(token).GET('/portal-api/event-types')),
    token,
  );
  return (
    <>
      <h1>Event types</h1>
      <ErrorNote error={types.error} />
      {types.data ? <Catalog types={types.data} /> : <Loading what="event types" />}
    </>
  );
}
