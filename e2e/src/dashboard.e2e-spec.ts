import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import {
  createEndpoint,
  createProject,
  eventually,
  findRepoRoot,
  NO_RETRIES,
  projectPath,
  sendEvent,
  startTestStack,
  stopAll,
  WebhookReceiver,
  type DemoProject,
  type TestStack,
} from '@flotilla/testing';

jest.setTimeout(180_000);

/** Debian's Chromium (CI installs the `chromium` package); Playwright drives it, downloading nothing. */
const CHROMIUM = process.env['FLOTILLA_CHROMIUM'] ?? '/usr/bin/chromium';
/** Without the background-networking flags Chromium dials out at start, which this sandbox refuses. */
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const SCREENSHOTS = path.join(findRepoRoot(), 'tmp', 'screenshots');
const B_MARKER = 'owner-b-only';

describe('the dashboard and the customer portal, in Chromium', () => {
  let stack: TestStack;
  let receiver: WebhookReceiver;
  let project: DemoProject;
  let browser: BrowserContext | undefined;
  let page: Page;
  let profile: string;
  let base = '';
  const b = { endpoint: '', event: '' };

  const shot = async (name: string, target: Page = page): Promise<void> => {
    await target.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
  };

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    profile = mkdtempSync(path.join(tmpdir(), 'flotilla-chromium-'));
    // One after the other: on a busy 2-core machine, starting both at once starves the services.
    stack = await startTestStack(['ingest-api', 'dispatcher', 'scheduler']);
    const launched = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_FLAGS,
      viewport: { width: 1200, height: 800 },
    });
    browser = launched;
    base = stack.service('ingest-api').url;
    // The first delivery fails (so it can be resent); every later one succeeds.
    receiver = await WebhookReceiver.start((_request, index) => ({
      status: index === 0 ? 500 : 200,
    }));
    project = await createProject(stack.admin, 'Dashboard demo', NO_RETRIES);
    page = launched.pages()[0] ?? (await launched.newPage());
  });

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await stopAll(receiver, stack);
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('serves the app under /ui with its security headers, and refuses paths outside it', async () => {
    const index = await fetch(`${base}/ui/p/x/deliveries`);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(index.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const portal = await fetch(`${base}/ui/portal`);
    expect(portal.headers.get('content-security-policy')).toContain('frame-ancestors *');
    const html = await index.text();
    const asset = /src="(\/ui\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    const script = await fetch(`${base}${asset ?? ''}`);
    expect([script.status, script.headers.get('cache-control')]).toEqual([
      200,
      'public, max-age=31536000, immutable',
    ]);
    // Encoded or not, a way out of the app's directory never serves a file.
    for (const escape of ['/ui/..%2f..%2fpackage.json', '/ui/%2e%2e/package.json', '/ui/.env']) {
      const answer = await fetch(`${base}${escape}`);
      expect([escape, answer.status === 400 || answer.status === 404]).toEqual([escape, true]);
      expect(await answer.text()).not.toContain('"name": "flotilla"');
    }
    expect((await fetch(`${base}/ui/assets/missing.js`)).status).toBe(404);
  });

  it('signs in with a project API key, keyboard first', async () => {
    await page.goto(`${base}/ui/`);
    // The app renders after the page's load event: Tab only once the form is on screen.
    await page.getByLabel('API key or admin token').waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.tagName')).toBe('INPUT');
    await page.getByLabel('API key or admin token').fill(project.apiKey);
    await page.getByLabel('Project id').fill(project.projectId);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await shot('overview');
  });

  it('creates an endpoint and shows its secret once', async () => {
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Endpoints' })
      .click();
    await page.getByRole('button', { name: 'New endpoint' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name').fill('Orders service');
    await dialog.getByLabel('URL').fill(receiver.url);
    await dialog.getByLabel('Owner id').fill('A');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expectText(page.getByTestId('secret-once'), /^whsec_/);
    await page.getByTestId('endpoint-row').filter({ hasText: 'Orders service' }).waitFor();
    await shot('endpoints');
  });

  it('sends an event, watches its delivery fail, opens the attempt and resends it', async () => {
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Events' })
      .click();
    await page.getByRole('button', { name: 'Send an event' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Event type').fill('invoice.paid');
    await dialog.getByRole('button', { name: 'Send' }).click();
    await page.getByTestId('event-row').filter({ hasText: 'invoice.paid' }).waitFor();
    await shot('events');

    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Deliveries' })
      .click();
    // The list refreshes by itself: the delivery appears, then its outcome.
    const row = page.getByTestId('delivery-row').filter({ hasText: 'Failure' });
    await row.waitFor({ timeout: 30_000 });
    await shot('deliveries');
    await row.getByRole('link').click();
    const attempt = page.getByTestId('attempt').first();
    await expectText(attempt.locator('summary'), /HTTP 500/);
    await expectText(attempt.getByRole('region', { name: 'Request headers' }), /webhook-signature/);
    await shot('delivery');

    await page.getByRole('button', { name: 'Resend', exact: true }).click();
    await expectText(page.getByTestId('delivery-status'), /Success/, 30_000);
    await expectText(page.getByTestId('attempt').last().locator('summary'), /HTTP 200/);
    expect(receiver.requests).toHaveLength(2);
  });

  describe('the portal of owner A', () => {
    let portal: Page;
    const portalAnswers: string[] = [];

    beforeAll(async () => {
      const other = await createEndpoint(project, {
        name: 'Owner B endpoint',
        url: receiver.url,
        owner_id: 'B',
        description: B_MARKER,
      });
      b.endpoint = other.uid;
      b.event = await sendEvent(project, other.uid, { secret: B_MARKER }, 'invoice.paid');
      await project.api.expect(201, 'POST', projectPath(project, 'event-types'), {
        name: 'invoice.paid',
        category: 'billing',
        description: 'An invoice was paid',
        json_schema: {
          type: 'object',
          properties: {
            invoice: { type: 'string', examples: ['inv_1001'] },
            amount: { type: 'integer' },
          },
        },
      });
      await eventually(async () => {
        const deliveries = await project.api.expect<{ content: { status: string }[] }>(
          200,
          'GET',
          projectPath(project, `eventdeliveries?eventId=${b.event}`),
        );
        expect(deliveries.content[0]?.status).toBe('Success');
      }, 30_000);
    });

    it('is made from the dashboard and opens from its link, which leaves the address bar', async () => {
      await page
        .getByRole('navigation', { name: 'Main' })
        .getByRole('link', { name: 'Portal links' })
        .click();
      await page.getByRole('button', { name: 'New portal link' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByLabel('Name').fill('Customer A');
      await dialog.getByLabel('Owner id').fill('A');
      await dialog.getByRole('checkbox').check();
      await dialog.getByRole('button', { name: 'Create' }).click();
      const url = await page.getByTestId('open-portal').getAttribute('href');
      expect(url).toContain('/ui/portal?token=PL.');
      await shot('portal-links');

      portal = await browser!.newPage();
      portal.on('response', (response) => {
        if (response.url().includes('/portal-api/'))
          void response.text().then(
            (text) => portalAnswers.push(text),
            () => undefined,
          );
      });
      await portal.goto(url!);
      await portal.getByRole('heading', { name: 'Your endpoints' }).waitFor();
      expect(portal.url()).not.toContain('token=');
    });

    it("shows only A's endpoints and deliveries", async () => {
      await portal.getByTestId('endpoint-row').first().waitFor();
      expect(await portal.getByTestId('endpoint-row').allInnerTexts()).toEqual([
        expect.stringContaining('Orders service'),
      ]);
      await shot('portal-endpoints', portal);
      await portal.getByRole('link', { name: 'Deliveries' }).click();
      await portal.getByTestId('delivery-row').first().waitFor();
      const rows = await portal.getByTestId('delivery-row').allInnerTexts();
      expect(rows.length).toBeGreaterThan(0);
      for (const text of rows) expect(text).not.toContain(b.endpoint);
      await portal.getByRole('link', { name: 'Event types' }).click();
      await portal.getByTestId('event-type').first().click();
      await expectText(portal.getByRole('region', { name: 'Example of invoice.paid' }), /inv_1001/);
      await portal.setViewportSize({ width: 375, height: 740 });
      await shot('portal-catalog-phone', portal);
    });

    it("refuses a request forged from the portal for B's endpoint, and nothing of B ever reached it", async () => {
      const forged = await portal.evaluate(async (endpointId) => {
        // Runs in the page: the portal's own token, as a script there could read it.
        const storage = (
          globalThis as unknown as {
            sessionStorage: Map<string, string> & { getItem(key: string): string | null };
          }
        ).sessionStorage;
        const session = JSON.parse(storage.getItem('flotilla.session.portal') ?? '{}') as {
          token?: string;
        };
        const answer = await fetch(`/portal-api/endpoints/${endpointId}`, {
          headers: { authorization: `Bearer ${session.token ?? ''}` },
        });
        return { status: answer.status, body: await answer.text() };
      }, b.endpoint);
      expect(forged.status).toBe(404);
      expect(forged.body).not.toContain(B_MARKER);
      expect(portalAnswers.length).toBeGreaterThan(3);
      for (const answer of portalAnswers) {
        expect(answer).not.toContain(B_MARKER);
        expect(answer).not.toContain(b.event);
      }
    });
  });
});

async function expectText(locator: Locator, pattern: RegExp, timeoutMs = 10_000): Promise<void> {
  await eventually(async () => {
    expect(await locator.innerText()).toMatch(pattern);
  }, timeoutMs);
}
