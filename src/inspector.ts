export { startInspector } from './inspector/start-inspector.js';
export { defaultSanitize, SANITIZE_LIMITS } from './inspector/sanitize.js';
export type { Inspector, InspectorOptions } from './inspector/start-inspector.js';
export type { SanitizeKind, Sanitizer } from './inspector/sanitize.js';
export type {
  ControlRequest,
  ControlResponse,
  CountsView,
  ErrorResponse,
  ErrorView,
  GraphNode,
  GraphView,
  LogEntry,
  MachineDiagram,
  MachinesView,
  ManagerView,
  PercentilesView,
  PhaseView,
  SlotRunView,
  SlotView,
  StateMessage,
  StatsView,
  StopFlags,
  TaskDetail,
  TaskRow,
  TasksPage,
  TasksQuery,
  TransitionView,
} from './inspector/protocol.js';
