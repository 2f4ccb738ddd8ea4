import { describe, expect, it } from 'vitest';
import { parseCli, USAGE } from '../../src/workers/remote/worker-cli.js';

describe('the background-task-manager-worker command line', () => {
  it('reads the Redis URL, the worker module, the queue, the concurrency and the stall settings', () => {
    const argv = ['--redis', 'redis://10.0.0.5:6380', '--worker-script', './tasks.worker.js', '--queue', 'thumbs'];
    argv.push(
      '--concurrency',
      '4',
      '--lock-duration-ms',
      '2000',
      '--stalled-interval-ms',
      '1000',
      '--max-stalled-count',
      '2',
    );
    expect(parseCli(argv)).toEqual({
      redis: 'redis://10.0.0.5:6380',
      workerScript: './tasks.worker.js',
      queueName: 'thumbs',
      concurrency: 4,
      lockDurationMs: 2000,
      stalledIntervalMs: 1000,
      maxStalledCount: 2,
    });
    expect(parseCli(['--redis', 'rediss://host:6379', '--worker-script', 'w.js'])).toEqual({
      redis: 'rediss://host:6379',
      workerScript: 'w.js',
      queueName: undefined,
      concurrency: undefined,
      lockDurationMs: undefined,
      stalledIntervalMs: undefined,
      maxStalledCount: undefined,
    });
  });

  it('answers --help and -h with the usage, whatever else is given', () => {
    expect(USAGE).toMatch(/^Usage: background-task-manager-worker --redis/);
    expect(parseCli(['--help'])).toBe(USAGE);
    expect(parseCli(['-h'])).toBe(USAGE);
    expect(parseCli(['--redis', 'redis://h:1', '--worker-script', 'w.js', '--help'])).toBe(USAGE);
    // Beside an unknown option or a stray argument too: help is what was asked for.
    expect(parseCli(['--help', '--verbose'])).toBe(USAGE);
    expect(parseCli(['-h', 'tasks.worker.js'])).toBe(USAGE);
  });

  it('shows the usage for a missing, unknown or bad argument', () => {
    expect(() => parseCli(['--redis', 'redis://h:1'])).toThrow(/^Usage: background-task-manager-worker --redis/);
    expect(() => parseCli(['--redis', 'h:1', '--worker-script', 'w.js'])).toThrow(
      /^--redis must be a redis:\/\/ URL, got h:1\nUsage:/,
    );
    expect(() => parseCli(['--redis', 'redis://h:1', '--worker-script', 'w.js', '--verbose'])).toThrow(
      /Unknown option '--verbose'[^]*\nUsage:/,
    );
    // What the argument parser said stays as the cause.
    const unknown = (() => {
      try {
        return parseCli(['--redis', 'redis://h:1', '--worker-script', 'w.js', '--verbose']);
      } catch (error) {
        return error as TypeError;
      }
    })() as TypeError;
    expect((unknown.cause as { code?: string }).code).toBe('ERR_PARSE_ARGS_UNKNOWN_OPTION');
    expect(() => parseCli(['--worker-script', 'w.js'])).toThrow(/^Usage: background-task-manager-worker --redis/);
    // A redis:// URL from its first character.
    expect(() => parseCli(['--redis', 'x-redis://h:1', '--worker-script', 'w.js'])).toThrow(
      /^--redis must be a redis:\/\/ URL, got x-redis:\/\/h:1\nUsage:/,
    );
  });
});
