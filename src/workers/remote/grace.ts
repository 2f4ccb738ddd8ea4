/** How long closing connections may take before they are cut (Redis may be gone: they would wait for good). */
export const CLOSE_GRACE_MS = 2000;

/** Resolves `true` once `promise` has, or `false` after `ms`. */
export async function withGrace(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => {
    timer = setTimeout(resolve, ms, false);
  });
  try {
    return await Promise.race([promise.then(() => true), late]);
  } finally {
    clearTimeout(timer);
  }
}
