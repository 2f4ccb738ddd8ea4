// The application's own worker module, as a user of the package writes it.
import { defineWorkerTasks } from 'background-task-manager/worker';

export default defineWorkerTasks({
  square: (n: number, kwargs: { offset: number }) => n * n + kwargs.offset,
});
