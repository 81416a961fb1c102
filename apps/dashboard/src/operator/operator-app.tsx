import { useState } from 'react';
import { Layout, type NavItem } from '../components/layout';
import { match, navigate } from '../router';
import { clearSession, loadSession, type OperatorSession } from '../session';
import { DeliveriesPage, DeliveryPage } from './deliveries';
import { EndpointsPage } from './endpoints';
import { EventTypesPage } from './event-types';
import { EventsPage } from './events';
import { OverviewPage } from './overview';
import { PortalLinksPage } from './portal-links';
import { ProjectsPage } from './projects';
import { SignIn } from './sign-in';
import { SourcesPage } from './sources';
import { SubscriptionsPage } from './subscriptions';

const SECTIONS = [
  ['overview', 'Overview'],
  ['endpoints', 'Endpoints'],
  ['subscriptions', 'Subscriptions'],
  ['sources', 'Sources'],
  ['events', 'Events'],
  ['deliveries', 'Deliveries'],
  ['event-types', 'Event types'],
  ['portal-links', 'Portal links'],
] as const;

/** The operator dashboard: sign in, pick a project (admin), then its sections. */
export function OperatorApp({ path }: { path: string }) {
  const [session, setSession] = useState(() => loadSession('operator') as OperatorSession | null);
  if (!session) return <SignIn onSignedIn={setSession} />;

  const inPath = /^\/p\/([^/]+)/.exec(path)?.[1];
  const projectId = inPath === undefined ? session.projectId : decodeURIComponent(inPath);
  const nav: NavItem[] = [
    ...(session.projectId ? [] : [{ to: '/projects', label: 'Projects' }]),
    ...(projectId
      ? SECTIONS.map(([section, label]) => ({ to: `/p/${projectId}/${section}`, label }))
      : []),
  ];
  const signOut = (): void => {
    clearSession('operator');
    setSession(null);
    navigate('/');
  };
  return (
    <Layout
      title="Flotilla"
      nav={nav}
      path={path}
      aside={
        <button type="button" className="ghost small" onClick={signOut}>
          Sign out
        </button>
      }
    >
      <OperatorRoutes path={path} session={session} projectId={projectId} />
    </Layout>
  );
}

function OperatorRoutes(props: {
  path: string;
  session: OperatorSession;
  projectId: string | undefined;
}) {
  const { path, session } = props;
  if (path === '/projects' && !session.projectId) return <ProjectsPage token={session.token} />;
  const delivery = match('/p/:project/deliveries/:delivery', path);
  if (delivery)
    return (
      <DeliveryPage
        token={session.token}
        projectId={delivery['project']!}
        deliveryId={delivery['delivery']!}
      />
    );
  const section = match('/p/:project/:section', path);
  if (section) {
    const projectId = section['project']!;
    const common = { token: session.token, projectId };
    switch (section['section']) {
      case 'overview':
        return <OverviewPage {...common} />;
      case 'endpoints':
        return <EndpointsPage {...common} />;
      case 'subscriptions':
        return <SubscriptionsPage {...common} />;
      case 'sources':
        return <SourcesPage {...common} />;
      case 'events':
        return <EventsPage {...common} />;
      case 'deliveries':
        return <DeliveriesPage {...common} />;
      case 'event-types':
        return <EventTypesPage {...common} />;
      case 'portal-links':
        return <PortalLinksPage {...common} />;
      case undefined:
      default:
        break;
    }
  }
  if (props.projectId) return <OverviewPage token={session.token} projectId={props.projectId} />;
  return <ProjectsPage token={session.token} />;
}
