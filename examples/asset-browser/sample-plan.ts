// Which files the sample set holds: a deterministic plan, the same on every machine.
import { createRandom, randomInt } from './random.js';
import { SampleKinds, type SampleKind } from './sample-draw.js';

/** Bump when the plan or the drawing changes: a cached set of another version is generated anew. */
export const SAMPLE_SET_VERSION = 2;

/** One picture to draw and write. */
export interface SampleSpec {
  /** Path relative to the sample folder. */
  rel: string;
  kind: SampleKind;
  width: number;
  height: number;
  format: 'png' | 'jpeg';
  seed: number;
  /** Write only the first half of the encoded file: a truncated image. */
  truncate?: boolean;
}

/** A broken file written as it is. */
export interface BrokenFile {
  rel: string;
  bytes: Uint8Array;
}

type Size = readonly [width: number, height: number];

function repeat(size: Size, times: number): Size[] {
  return Array.from({ length: times }, () => size);
}

const FOLDERS = ['holidays', 'holidays/beach', 'patterns', 'scans', 'textures'];
/** Mostly small and medium pictures, as a folder of photos and assets has (a size listed twice is drawn twice as often). */
const SIZES: readonly Size[] = [
  ...repeat([160, 120], 4),
  ...repeat([200, 150], 2),
  ...repeat([240, 180], 3),
  ...repeat([320, 240], 3),
  ...repeat([400, 300], 2),
  ...repeat([480, 360], 2),
  [640, 480],
  [800, 600],
  [1024, 768],
];
const LARGE: readonly Size[] = [
  [1280, 960],
  [1600, 1200],
  [2048, 1536],
];
/**
 * JPEG only up to this many pixels: jpeg-js, pure JavaScript, took 230 to 410 ms to encode 640×480
 * on this project's shared two-core machine, and the first run should take seconds, not a minute.
 */
const MAX_JPEG_PIXELS = 400 * 300;

/** `count` pictures of varied kind, size, orientation and format, one in 80 large (the 80th, 160th, …), the last a truncated JPEG. */
export function samplePlan(count: number, seed = 20_251_201): SampleSpec[] {
  const random = createRandom(seed);
  const kinds = Object.keys(SampleKinds) as SampleKind[];
  return Array.from({ length: count }, (_, index) => {
    const large = index % 80 === 79;
    // Large pictures are smooth, as photos are; noise that large only makes the PNG encoder slow.
    const kind = large ? 'gradient' : (kinds[randomInt(random, 0, kinds.length - 1)] ?? 'gradient');
    const sizes = large ? LARGE : SIZES;
    const pick = large ? Math.floor(index / 80) % LARGE.length : randomInt(random, 0, SIZES.length - 1);
    let [width, height] = sizes[pick] ?? [320, 240];
    if (random() < 0.25) [width, height] = [height, width];
    const format = width * height <= MAX_JPEG_PIXELS && random() < 0.6 ? 'jpeg' : 'png';
    const folder = FOLDERS[randomInt(random, 0, FOLDERS.length - 1)] ?? 'misc';
    const name = `${folder}/${kind}-${String(index).padStart(3, '0')}.${format === 'png' ? 'png' : 'jpg'}`;
    const spec: SampleSpec = { rel: name, kind, width, height, format, seed: randomInt(random, 0, 2 ** 31) };
    const truncated = { rel: 'scans/truncated.jpg', format: 'jpeg', width: 320, height: 240, truncate: true } as const;
    return index === count - 1 ? { ...spec, ...truncated } : spec;
  });
}

/**
 * Files that look like images and are not: random bytes named `.png`, a GIF (a format not read),
 * text named `.jpg`, and a PNG whose header claims 60000×60000 pixels (about 27 GB to decode).
 */
export function brokenFiles(seed = 7): BrokenFile[] {
  const random = createRandom(seed);
  const noise = Uint8Array.from({ length: 2048 }, () => randomInt(random, 0, 255));
  return [
    { rel: 'scans/corrupt.png', bytes: noise },
    { rel: 'holidays/animation.gif', bytes: tinyGif() },
    { rel: 'textures/readme.jpg', bytes: new TextEncoder().encode('This is a text file with an image name.\n') },
    { rel: 'patterns/huge.png', bytes: pngHeaderOnly(60_000, 60_000) },
  ];
}

/** A 1×1 GIF: a real image in a format this browser does not read. */
function tinyGif(): Uint8Array {
  return Uint8Array.from(Buffer.from('R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==', 'base64'));
}

/** A PNG signature and an IHDR chunk for `width`×`height`, and nothing else: only the header is plausible. */
function pngHeaderOnly(width: number, height: number): Uint8Array {
  const bytes = new Uint8Array(33);
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  const view = new DataView(bytes.buffer);
  view.setUint32(16, width);
  view.setUint32(20, height);
  bytes.set([8, 6, 0, 0, 0], 24); // 8-bit RGBA; the CRC that follows is left zero
  return bytes;
}
