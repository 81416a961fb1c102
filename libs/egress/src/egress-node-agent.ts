import { Agent as HttpAgent, type AgentOptions, type ClientRequestArgs } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { Duplex } from 'node:stream';
import { defaultResolve, resolveAllowed, type EgressResolver } from './egress-agent';
import type { EgressPolicy } from './egress-policy';

export interface EgressNodeAgentOptions extends AgentOptions {
  /** Bound on the DNS lookup. Default 10 000 ms. */
  lookupTimeoutMs?: number;
  /** Replaces the DNS lookup (tests, custom resolvers). */
  resolve?: EgressResolver;
}

type ConnectionCallback = (error: Error | null, stream: Duplex) => void;

/**
 * Node `http`/`https` agents for clients that do not take an undici dispatcher (the AWS SDK's
 * request handler). Like `createEgressAgent`, every new connection first resolves the host itself,
 * is refused (EgressRefusedError, no socket opened) if any resolved address is not allowed, and then
 * connects to the checked IP literal, so DNS rebinding between check and connect cannot slip
 * through. For TLS the agent has already set SNI and certificate verification to the host name.
 */
export function createEgressNodeAgents(
  policy: EgressPolicy,
  options: EgressNodeAgentOptions = {},
): { httpAgent: HttpAgent; httpsAgent: HttpsAgent } {
  const { lookupTimeoutMs = 10_000, resolve = defaultResolve, ...agentOptions } = options;
  const guard = <A extends HttpAgent>(agent: A): A => {
    const open = agent.createConnection.bind(agent) as (options: ClientRequestArgs) => Duplex;
    agent.createConnection = (connectOptions: ClientRequestArgs, callback?: ConnectionCallback) => {
      const host = (connectOptions.host ?? connectOptions.hostname ?? 'localhost').replace(
        /^\[(.*)\]$/,
        '$1',
      );
      resolveAllowed(host, policy, resolve, lookupTimeoutMs).then(
        (addresses) => {
          let socket: Duplex;
          try {
            // Node's default creators take no callback here (it would become a connect listener).
            socket = open({ ...connectOptions, host: addresses[0], hostname: addresses[0] });
          } catch (error) {
            callback?.(
              error instanceof Error ? error : new Error(String(error)),
              undefined as never,
            );
            return;
          }
          callback?.(null, socket);
        },
        (error: unknown) => {
          callback?.(error instanceof Error ? error : new Error(String(error)), undefined as never);
        },
      );
      // Returning nothing tells the agent the socket comes through the callback.
      return undefined;
    };
    return agent;
  };
  return {
    httpAgent: guard(new HttpAgent(agentOptions)),
    httpsAgent: guard(new HttpsAgent(agentOptions)),
  };
}
