import { OperatorApp } from './operator/operator-app';
import { PortalApp } from './portal/portal-app';
import { usePath } from './router';

/**
 * Two apps in one bundle: the operator dashboard (/ui/…, signed in with a project API key or the
 * admin token) and the customer portal (/ui/portal…, opened with a portal link's token).
 */
export function App() {
  const path = usePath();
  return path === '/portal' || path.startsWith('/portal/') ? (
    <PortalApp path={path} />
  ) : (
    <OperatorApp path={path} />
  );
}
