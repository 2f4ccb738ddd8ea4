import { managerOfActor } from '../api/background-task-manager.js';
import type { InspectionHub } from './hub.js';
import type { ControlRequest } from './protocol.js';

/** A control request that cannot be carried out: a 400 or 404 with this message. */
export class ControlRefused extends Error {
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.name = 'ControlRefused';
    this.status = status;
  }
}

const ACTIONS = new Set(['start', 'pause', 'stopTask', 'stopGroup']);
const KEYS = new Set(['manager', 'action', 'uid', 'group', 'stopUpstream', 'stopDownstream']);

/**
 * Checks a parsed control request field by field (it is data, never
 * evaluated) and carries it out through the manager's public methods.
 * @throws {ControlRefused} for a malformed request or an unknown manager.
 */
export function applyControl(hub: InspectionHub, body: unknown): void {
  const request = parse(body);
  const model = hub.manager(request.manager);
  const manager = model === undefined ? undefined : managerOfActor(model.actor);
  if (manager === undefined) throw new ControlRefused(404, `no manager '${request.manager}'`);
  // Left out, a flag takes the manager's own default.
  const flags = { stopUpstream: request.stopUpstream, stopDownstream: request.stopDownstream };
  switch (request.action) {
    case 'start':
      // Running already, it has nothing to do; shut down, it would throw.
      if (manager.phase === 'paused') manager.startProcessing();
      return;
    case 'pause':
      manager.pauseProcessing();
      return;
    case 'stopTask':
      manager.stopTask(request.uid, flags);
      return;
    case 'stopGroup':
      manager.stopTaskGroup(request.group, flags);
      return;
  }
}

type Parsed = ControlRequest & { stopUpstream?: boolean; stopDownstream?: boolean };

function parse(body: unknown): Parsed {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ControlRefused(400, 'expected a JSON object');
  }
  const fields = body as Record<string, unknown>;
  for (const key of Object.keys(fields)) if (!KEYS.has(key)) throw new ControlRefused(400, `unknown field '${key}'`);
  const { manager, action, uid, group, stopUpstream, stopDownstream } = fields;
  if (typeof manager !== 'string') throw new ControlRefused(400, 'expected `manager` to be a string');
  if (!ACTIONS.has(action as string)) throw new ControlRefused(400, 'unknown `action`');
  for (const [name, flag] of [
    ['stopUpstream', stopUpstream],
    ['stopDownstream', stopDownstream],
  ] as const) {
    if (flag !== undefined && typeof flag !== 'boolean')
      throw new ControlRefused(400, `expected \`${name}\` to be a boolean`);
  }
  if (action === 'stopTask' && !(Number.isSafeInteger(uid) && (uid as number) >= 0)) {
    throw new ControlRefused(400, 'expected `uid` to be an integer >= 0');
  }
  if (action === 'stopGroup' && typeof group !== 'string' && !Number.isFinite(group)) {
    throw new ControlRefused(400, 'expected `group` to be a string or a number');
  }
  return fields as unknown as Parsed;
}
