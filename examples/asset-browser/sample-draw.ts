// The pictures of the sample set: gradients, checkerboards, circles and noise, drawn from a seed.
import type { RgbaImage } from './downscale.js';
import { createRandom, randomInt } from './random.js';

/** What a sample image shows. */
export const SampleKinds = Object.freeze({
  gradient: 'gradient',
  checkerboard: 'checkerboard',
  circles: 'circles',
  noise: 'noise',
} as const);

/** A kind of {@link SampleKinds}. */
export type SampleKind = keyof typeof SampleKinds;

type Rgb = readonly [number, number, number];
/** Writes the colour of pixel (x, y) at `data[i]`, `data[i + 1]`, `data[i + 2]`. */
type Painter = (data: Uint8Array, i: number, x: number, y: number) => void;

/** Draws a `width`×`height` opaque picture of `kind`; the same arguments give the same pixels. */
export function drawSample(kind: SampleKind, width: number, height: number, seed: number): RgbaImage {
  const random = createRandom(seed);
  const paint = painters[kind](width, height, random);
  const data = new Uint8Array(width * height * 4).fill(255); // opaque: every fourth byte stays 255
  for (let y = 0, i = 0; y < height; y++) {
    for (let x = 0; x < width; x++, i += 4) paint(data, i, x, y);
  }
  return { width, height, data };
}

const randomColour = (random: () => number): Rgb => [
  randomInt(random, 0, 255),
  randomInt(random, 0, 255),
  randomInt(random, 0, 255),
];

function put(data: Uint8Array, i: number, colour: Rgb): void {
  data[i] = colour[0];
  data[i + 1] = colour[1];
  data[i + 2] = colour[2];
}

/** Writes the colour `t` of the way from `a` to `b`. */
function mixInto(data: Uint8Array, i: number, a: Rgb, b: Rgb, t: number): void {
  data[i] = a[0] + (b[0] - a[0]) * t;
  data[i + 1] = a[1] + (b[1] - a[1]) * t;
  data[i + 2] = a[2] + (b[2] - a[2]) * t;
}

// Each painter allocates nothing per pixel: the set has tens of millions of them.
const painters: Record<SampleKind, (width: number, height: number, random: () => number) => Painter> = {
  gradient: (width, height, random) => {
    const [from, to] = [randomColour(random), randomColour(random)];
    const angle = random() * Math.PI;
    const [dx, dy] = [Math.cos(angle), Math.sin(angle)];
    const span = Math.abs(dx) * width + Math.abs(dy) * height;
    const offset = Math.min(0, dx * width) + Math.min(0, dy * height);
    return (data, i, x, y) => {
      mixInto(data, i, from, to, (x * dx + y * dy - offset) / span);
    };
  },
  checkerboard: (_width, _height, random) => {
    const [a, b] = [randomColour(random), randomColour(random)];
    const cell = randomInt(random, 4, 48);
    return (data, i, x, y) => {
      put(data, i, (Math.floor(x / cell) + Math.floor(y / cell)) % 2 === 0 ? a : b);
    };
  },
  circles: (width, height, random) => {
    const background = randomColour(random);
    const circles = Array.from({ length: randomInt(random, 3, 9) }, () => ({
      cx: random() * width,
      cy: random() * height,
      r2: (random() * Math.min(width, height) * 0.4 + 4) ** 2,
      colour: randomColour(random),
    }));
    return (data, i, x, y) => {
      let colour = background;
      for (const c of circles) if ((x - c.cx) ** 2 + (y - c.cy) ** 2 <= c.r2) colour = c.colour;
      put(data, i, colour);
    };
  },
  noise: (_width, _height, random) => {
    const base = randomColour(random);
    return (data, i) => {
      data[i] = (base[0] + random() * 256) / 2;
      data[i + 1] = (base[1] + random() * 256) / 2;
      data[i + 2] = (base[2] + random() * 256) / 2;
    };
  },
};
