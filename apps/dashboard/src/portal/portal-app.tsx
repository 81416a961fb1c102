import { useState } from 'react';
import { apiClient, unwrap } from '../api/client';
import type { PortalSelf } from '../api/types';
import { Layout } from '../components/layout';
import { ErrorNote, Loading } from '../components/ui';
import { useLoad } from '../hooks';
import { BASE, match } from '../router';
import { loadSession, saveSession, type PortalSession } from '../session';
import { PortalCatalogPage } from './portal-catalog';
import { PortalDeliveriesPage, PortalDeliveryPage } from './portal-deliveries';
import { PortalEndpointsPage } from './portal-endpoints';

/**
 * The token arrives in the portal URL (`/ui/portal?token=…`); it is kept for this tab and taken
 * out of the address bar, so it is not left in history or shown on screen.
 */
function takeToken(): PortalSession | null {
  const params = new URLSearchParams(window.location.search);
  const token = params.get('token');
  if (token) {
    const session: PortalSession = { kind: 'portal', token };
    saveSession(session);
    params.delete('token');
    const rest = params.toString();
    window.history.replaceState(null, '', `${window.location.pathname}${rest ? `?${rest}` : ''}`);
    return session;
  }
  return loadSession('portal') as PortalSession | null;
}

/** The customer portal: only what the link's scope reaches, through /portal-api. */
export function PortalApp({ path }: { path: string }) {
  const [session] = useState(takeToken);
  if (!session) {
    return (
      <main id="main">
        <h1>Webhooks portal</h1>
        <p className="error" role="alert">
          Open this page with the portal link you were given (it carries your access token).
        </p>
      </main>
    );
  }
  return <Portal path={path} token={session.token} />;
}

function Portal({ path, token }: { path: string; token: string }) {
  const self = useLoad(
    () => unwrap<PortalSelf>(apiClient(token).GET('/portal-api/portal_link')),
    token,
  );
  const nav = [
    { to: '/portal/endpoints', label: 'Endpoints' },
    { to: '/portal/deliveries', label: 'Deliveries' },
    { to: '/portal/event-types', label: 'Event types' },
  ];
  const delivery = match('/portal/deliveries/:delivery', path);
  let page;
  if (delivery) page = <PortalDeliveryPage token={token} deliveryId={delivery['delivery']!} />;
  else if (path === '/portal/deliveries') page = <PortalDeliveriesPage token={token} />;
  else if (path === '/portal/event-types') page = <PortalCatalogPage token={token} />;
  else
    page = (
      <PortalEndpointsPage token={token} canManage={self.data?.can_manage_endpoint ?? false} />
    );
  return (
    <Layout
      title={self.data ? self.data.name : 'Webhooks'}
      nav={nav}
      path={path === '/portal' ? '/portal/endpoints' : path}
    >
      <ErrorNote error={self.error} />
      {self.data ? page : self.error ? null : <Loading what="your portal" />}
      <p className="muted">
        <small>
          Embed: <code>{`${window.location.origin}${BASE}/portal?token=…`}</code>
        </small>
      </p>
    </Layout>
  );
}
