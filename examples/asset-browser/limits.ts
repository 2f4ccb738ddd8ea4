/**
 * The heap limit of each worker thread (`resourceLimits.maxOldGenerationSizeMb`), and the most
 * memory a worker lets one decode take: an image whose header asks for more fails before any
 * allocation, instead of taking the worker down.
 */
export const WORKER_MEMORY_MB = 512;
