import { join } from 'node:path';
import {
  AttributeIds,
  type ClientSession,
  MessageSecurityMode,
  makeBrowsePath,
  OPCUACertificateManager,
  OPCUAClient,
  resolveNodeId,
  SecurityPolicy,
  VariableIds,
} from 'node-opcua';
import type { OpcuaConnection } from '../../../core/config/siteSchema.ts';
import { errorText } from '../../../core/errors.ts';
import { chunks, DEFAULT_PER_CALL, type Item, type Target } from './items.ts';

/**
 * The gateway's OPC UA client for one connection. It reconnects the secure channel by itself
 * (0.5–5 s backoff, forever); what it re-creates after a server restart is not trusted — see
 * subscriber.ts. Server certificates are checked against the trust list in `pkiFolder`.
 */
export function createClient(connection: OpcuaConnection, pkiFolder: string): OPCUAClient {
  return OPCUAClient.create({
    applicationName: 'jieneng gateway',
    endpointMustExist: false,
    keepSessionAlive: true,
    securityMode: MessageSecurityMode[connection.security_mode],
    securityPolicy: SecurityPolicy[connection.security_policy],
    clientCertificateManager: new OPCUACertificateManager({
      rootFolder: pkiFolder,
      automaticallyAcceptUnknownCertificate: false,
    }),
    connectionStrategy: { maxRetry: -1, initialDelay: 500, maxDelay: 5000 },
  });
}

/**
 * Connects `client`; a server certificate that is not trusted fails with where it was stored and
 * where to move it to trust it.
 */
export async function connect(client: OPCUAClient, endpoint: string, pki: string): Promise<void> {
  try {
    await client.connect(endpoint);
  } catch (err) {
    const reason = errorText(err);
    const text = /certificate/i.test(reason)
      ? `${reason}: the server certificate is not trusted; it was stored in ${join(pki, 'rejected')} — move it to ${join(pki, 'trusted', 'certs')} to trust it`
      : reason;
    throw new Error(`opcua ${endpoint}: ${text}`, { cause: err });
  }
}

/**
 * A session on a connected client, asked for again (1, 2, 4 … 30 s apart) while the server
 * refuses one — a server still starting up may — until it is given or `stopped()` says to give up.
 */
export async function createSessionPatiently(
  client: OPCUAClient,
  options: { stopped: () => boolean; onFailure: (reason: string, retryInMs: number) => void },
): Promise<ClientSession | undefined> {
  for (let delay = 1000; ; delay = Math.min(30_000, delay * 2)) {
    try {
      return await client.createSession();
    } catch (err) {
      if (options.stopped()) return undefined;
      options.onFailure(errorText(err), delay);
      await new Promise((r) => setTimeout(r, delay));
      if (options.stopped()) return undefined;
    }
  }
}

/** Operation limits in force on the server (0 from the server means "no limit", Part 5 §6.3.11). */
export interface Limits {
  read: number;
  monitor: number;
  translate: number;
  /** As the server states them, for health. */
  stated: { max_nodes_per_read: number; max_monitored_items_per_call: number };
}

/**
 * The server's OperationLimits, each node in a Read of its own: a server limited to fewer nodes
 * per Read than we ask for would refuse the whole call (node-opcua's own readOperationLimits asks
 * for all 12 at once and fails on MaxNodesPerRead < 12: DESIGN.md §10, issue 13 §3).
 */
export async function readLimits(session: ClientSession): Promise<Limits> {
  const one = async (id: number) => {
    const dv = await session.read({ nodeId: resolveNodeId(id), attributeId: AttributeIds.Value });
    const value = dv.statusCode.isGood() ? Number(dv.value.value) : 0;
    return Number.isFinite(value) && value > 0 ? value : 0;
  };
  const ids = VariableIds;
  const read = await one(ids.Server_ServerCapabilities_OperationLimits_MaxNodesPerRead);
  const monitor = await one(ids.Server_ServerCapabilities_OperationLimits_MaxMonitoredItemsPerCall);
  const translate = await one(
    ids.Server_ServerCapabilities_OperationLimits_MaxNodesPerTranslateBrowsePathsToNodeIds,
  );
  return {
    read: read || DEFAULT_PER_CALL,
    monitor: monitor || DEFAULT_PER_CALL,
    translate: translate || DEFAULT_PER_CALL,
    stated: { max_nodes_per_read: read, max_monitored_items_per_call: monitor },
  };
}

/**
 * The server's namespace table, read afresh: node-opcua's readNamespaceArray caches it on the
 * session, and a restarted server may have registered its namespaces in another order.
 */
export async function readNamespaces(session: ClientSession): Promise<string[]> {
  const dv = await session.read({
    nodeId: resolveNodeId(VariableIds.Server_NamespaceArray),
    attributeId: AttributeIds.Value,
  });
  return dv.statusCode.isGood() ? ((dv.value.value as string[] | null) ?? []) : [];
}

/** A point whose node could not be found, with the reason (naming the node or namespace). */
export interface Unresolved {
  target: Target;
  reason: string;
}

/**
 * Finds each point's node on the current session: `node` (a String NodeId template) when the
 * profile gives one, else the variable called `browse_name` under the equipment object
 * `ns=<namespace>;s=<object>` (TranslateBrowsePathsToNodeIds, within the server's limit per call).
 */
export async function resolveItems(
  session: ClientSession,
  targets: Target[],
  limits: Limits,
  endpoint: string,
): Promise<{ items: Item[]; unresolved: Unresolved[] }> {
  const namespaces = await readNamespaces(session);
  const items: Item[] = [];
  const unresolved: Unresolved[] = [];
  const browse: { target: Target; ns: number; start: string }[] = [];
  for (const target of targets) {
    const ns = namespaces.indexOf(target.namespace);
    if (ns < 0) {
      const known = namespaces.map((uri, i) => `${i} ${uri}`).join(', ') || '(none)';
      unresolved.push({
        target,
        reason: `profile "${target.profile}" names namespace ${target.namespace}, which the server ${endpoint} does not have; its namespaces are: ${known}`,
      });
      continue;
    }
    const { device, point, stale } = target;
    if (point.node !== undefined)
      items.push({
        device,
        point,
        stale,
        nodeId: `ns=${ns};s=${point.node.replace('{object}', target.object)}`,
      });
    else browse.push({ target, ns, start: `ns=${ns};s=${target.object}` });
  }
  for (const chunk of chunks(browse, limits.translate)) {
    const results = await session.translateBrowsePath(
      chunk.map((b) => makeBrowsePath(b.start, `/${b.ns}:${b.target.point.browse_name}`)),
    );
    chunk.forEach((b, k) => {
      const result = results[k];
      const nodeId = result?.statusCode.isGood() ? result.targets?.[0]?.targetId : undefined;
      const { device, point, stale } = b.target;
      if (nodeId) items.push({ device, point, stale, nodeId: nodeId.toString() });
      else
        unresolved.push({
          target: b.target,
          reason: `no variable with browse name ${b.ns}:${point.browse_name} under node ${b.start}: ${result?.statusCode.toString() ?? 'no result'}`,
        });
    });
  }
  return { items, unresolved };
}
