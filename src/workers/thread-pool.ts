import { FixedThreadPool, type MessageValue } from 'poolifier';

/**
 * poolifier's `FixedThreadPool`, with its message listener made safe for
 * messages from a worker it has already removed.
 *
 * poolifier 5.3.2 removes a worker node when the thread exits, but leaves
 * the pool's listener on the main thread's end of that node's channel.
 * A worker answers poolifier's start-up message with `{ ready: true,
 * taskFunctionsProperties, workerId }` on that channel; if the thread exits
 * right after (a worker task that crashes it arrives over the manager's own
 * channel as soon as it connects), the main thread can see the exit before
 * it reads the answer. The listener then throws `Worker message '…'
 * received from unknown worker N` from a `MessagePort` listener: an
 * uncaught exception. Here such a message is dropped: the worker is gone,
 * and poolifier has already started its replacement.
 */
export class ThreadPool extends FixedThreadPool {
  /** Registers poolifier's listener of a new worker node behind the check that its worker is still in the pool. */
  protected override registerWorkerMessageListener<Message>(
    workerNodeKey: number,
    listener: (message: MessageValue<Message>) => void,
  ): void {
    // poolifier's constructor starts the workers, before this class's own fields and methods exist.
    const guarded =
      listener === this.workerMessageListener
        ? (message: MessageValue<Message>) => {
            if (!isFromRemovedWorker(this, message)) listener(message);
          }
        : listener;
    super.registerWorkerMessageListener(workerNodeKey, guarded);
  }
}

/** Whether `message` names a worker that `pool` no longer has (one without a worker id is left to poolifier). */
function isFromRemovedWorker(pool: ThreadPool, { workerId }: MessageValue): boolean {
  return workerId !== undefined && !pool.workerNodes.some((node) => node.info.id === workerId);
}
