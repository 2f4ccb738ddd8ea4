import type { AnyStateMachine } from 'xstate';
import { managerMachine } from '../machines/manager-machine.js';
import { taskMachine } from '../machines/task-machine.js';
import type { MachineDiagram, MachinesView } from './protocol.js';

/** A flat machine's states and transitions, read from its definition. */
function diagramOf(machine: AnyStateMachine): MachineDiagram {
  const states: string[] = [];
  const finals: string[] = [];
  const transitions: MachineDiagram['transitions'] = [];
  for (const [name, node] of Object.entries(machine.root.states)) {
    states.push(name);
    if (node.type === 'final') finals.push(name);
    for (const [event, candidates] of node.transitions) {
      for (const candidate of candidates) {
        // Both machines are flat and every transition has a target: a targetless one would be drawn as nothing.
        for (const target of candidate.target ?? []) transitions.push({ from: name, event, to: target.key });
      }
    }
  }
  return { id: machine.id, initial: String(machine.root.initial.target[0]?.key), states, finals, transitions };
}

/** `/api/machines`: the task lifecycle and the manager's phases, drawn from the machines themselves. */
export function machinesView(): MachinesView {
  return { task: diagramOf(taskMachine), manager: diagramOf(managerMachine) };
}
