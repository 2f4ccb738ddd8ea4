export { startInspector } from './inspector/start-inspector.js';
export { defaultSanitize, SANITIZE_LIMITS } from './inspector/sanitize.js';
export type { Inspector, InspectorOptions } from './inspector/start-inspector.js';
export type { SanitizeKind, Sanitizer } from './inspector/sanitize.js';
export type {
  ControlRequest,
  CountsView,
  GraphNode,
  GraphView,
  LogEntry,
  MachineDiagram,
  MachinesView,
  ManagerView,
  PercentilesView,
  SlotRunView,
  SlotView,
  StateMessage,
  StatsView,
  TaskDetail,
  TaskRow,
  TasksPage,
} from './inspector/protocol.js';
