// The HTML report as a person sees it: two reports made by the built `neurona` (the tutorial's
// 3-2-4-1 majority network, and a 2-16-16-1 tanh network on an XOR data set generated here) are
// opened from disk in Debian's headless Chromium, driven by playwright-core. Each must load with
// no console error and no request but the file itself, draw the right number of nodes and edges,
// show a weight on hover, and look like something (a screenshot of many colours).
//
// node report.test.js --neurona BUILD/neurona --data data --work DIR [--screenshot OUT.png]
// Prints "ok - ..." or "not ok - ..." per check and a last line "N passed, M failed"; exit 0 when
// none failed.
'use strict';

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const zlib = require('node:zlib');

const args = {};
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
const neurona = args.neurona || process.env.NEURONA;
const dataDir = args.data || path.join(__dirname, '..', '..', 'data');
const work = args.work || fs.mkdtempSync(path.join(os.tmpdir(), 'neurona-e2e-'));
const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';

let passed = 0, failed = 0;
function check(name, ok, detail) {
  if (ok) { passed++; console.log(`ok - ${name}`); }
  else { failed++; console.log(`not ok - ${name}${detail === undefined ? '' : ': ' + detail}`); }
}
function finish() {
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 && passed > 0 ? 0 : 1);
}
function fatal(message) {
  failed++;
  console.log(`not ok - ${message}`);
  finish();
}

// ---- PNG decoding, enough for Chromium's screenshots: 8-bit RGB or RGBA, not interlaced ----

function decodePng(buffer) {
  if (buffer.readUInt32BE(0) !== 0x89504e47) throw new Error('not a PNG');
  let pos = 8, width, height, depth, type, interlace;
  const idat = [];
  while (pos < buffer.length) {
    const length = buffer.readUInt32BE(pos), kind = buffer.toString('latin1', pos + 4, pos + 8);
    const body = buffer.subarray(pos + 8, pos + 8 + length);
    if (kind === 'IHDR') {
      width = body.readUInt32BE(0); height = body.readUInt32BE(4);
      depth = body[8]; type = body[9]; interlace = body[12];
    } else if (kind === 'IDAT') idat.push(body);
    else if (kind === 'IEND') break;
    pos += 12 + length;
  }
  if (depth !== 8 || (type !== 2 && type !== 6) || interlace !== 0)
    throw new Error(`unsupported PNG: depth ${depth}, colour type ${type}, interlace ${interlace}`);
  const bpp = type === 6 ? 4 : 3, stride = width * bpp;
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const pixels = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)], line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? pixels[y * stride + x - bpp] : 0;
      const b = y > 0 ? pixels[(y - 1) * stride + x] : 0;
      const c = x >= bpp && y > 0 ? pixels[(y - 1) * stride + x - bpp] : 0;
      let v = line[x];
      if (filter === 1) v += a;
      else if (filter === 2) v += b;
      else if (filter === 3) v += (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
        v += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      } else if (filter !== 0) throw new Error(`bad PNG filter ${filter}`);
      pixels[y * stride + x] = v & 255;
    }
  }
  return { width, height, bpp, pixels };
}

// Distinct colours, and the share of pixels that differ from the most common one (the background).
function colourStats(png) {
  const counts = new Map();
  for (let i = 0; i < png.pixels.length; i += png.bpp) {
    const key = (png.pixels[i] << 16) | (png.pixels[i + 1] << 8) | png.pixels[i + 2];
    counts.set(key, (counts.get(key) || 0) + 1);
  }
  const total = png.width * png.height, background = Math.max(...counts.values());
  return { colours: counts.size, inked: 1 - background / total };
}

// ---- The reports ----

function run(argv) {
  return execFileSync(neurona, argv, { cwd: work, stdio: ['ignore', 'pipe', 'pipe'] }).toString();
}

// 200 points around the four corners of the square, labelled by XOR of the signs, from a fixed
// linear congruential generator so that every run draws the same data.
function writeXor(file) {
  let state = 12345;
  const uniform = () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 4294967296);
  const lines = ['x1,x2,label'];
  for (let i = 0; i < 200; i++) {
    const a = i % 2, b = (i >> 1) % 2;
    const x1 = (a ? 1 : -1) + (uniform() - 0.5) * 1.2, x2 = (b ? 1 : -1) + (uniform() - 0.5) * 1.2;
    lines.push(`${x1.toFixed(4)},${x2.toFixed(4)},${a ^ b ? 'different' : 'same'}`);
  }
  fs.writeFileSync(file, lines.join('\n') + '\n');
}

function makeReports() {
  const majority = path.join(dataDir, 'majority.csv');
  run(['train', '--data', majority, '--layers', '3,2,4,1', '--lr', '0.5', '--epochs', '5000',
       '--seed', '1', '--save', 'majority.json', '--history', 'majority_history.csv', '--quiet']);
  run(['report', '--model', 'majority.json', '--data', majority, '--history',
       'majority_history.csv', '--out', 'majority.html']);
  writeXor(path.join(work, 'xor.csv'));
  run(['train', '--data', 'xor.csv', '--classes', '--layers', '2,16,16,1', '--activation', 'tanh',
       '--optimizer', 'adam', '--lr', '0.01', '--epochs', '400', '--seed', '3', '--validation',
       '0.2', '--save', 'xor.json', '--history', 'xor_history.csv', '--quiet']);
  run(['report', '--model', 'xor.json', '--data', 'xor.csv', '--classes', '--history',
       'xor_history.csv', '--out', 'xor.html']);
}

// ---- In the browser ----

async function checkReport(context, name, file, nodes, edges, screenshotTo) {
  const url = pathToFileURL(file).href;
  const page = await context.newPage();
  const errors = [], requests = [];
  page.on('console', (message) => { if (message.type() === 'error') errors.push(message.text()); });
  page.on('pageerror', (error) => errors.push(String(error)));
  page.on('request', (request) => requests.push(request.url()));
  await page.setViewportSize({ width: 1200, height: 900 });
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForTimeout(200);

  check(`${name}: no console errors`, errors.length === 0, errors.join(' | '));
  const others = requests.filter((r) => r !== url);
  check(`${name}: no request but the file itself`, others.length === 0 && requests.length >= 1,
        `requests: ${requests.join(', ')}`);
  const counted = await page.evaluate(() => ({
    nodes: document.querySelectorAll('svg.diagram .node').length,
    edges: document.querySelectorAll('svg.diagram .edge').length,
  }));
  check(`${name}: ${nodes} nodes`, counted.nodes === nodes, `found ${counted.nodes}`);
  check(`${name}: ${edges} edges`, counted.edges === edges, `found ${counted.edges}`);

  // The last edge is drawn on top of the others, so its middle is where the pointer finds it.
  const edge = page.locator('svg.diagram line.edge').last();
  const weight = Number(await edge.getAttribute('data-value'));
  await edge.hover({ force: true });
  const tooltip = page.locator('#tooltip');
  const visible = await tooltip.isVisible();
  const text = (await tooltip.textContent()) || '';
  const shown = Number((text.match(/=\s*(\S+)$/) || [])[1]);
  check(`${name}: hovering an edge shows its weight`,
        visible && Number.isFinite(weight) && Math.abs(shown - weight) <= 1e-3 * Math.max(1, Math.abs(weight)),
        `tooltip ${visible ? 'visible' : 'hidden'}, "${text}", weight ${weight}`);

  const node = page.locator('svg.diagram g.node:not(.input)').first();
  const bias = Number(await node.getAttribute('data-value'));
  await node.hover({ force: true });
  const nodeText = (await tooltip.textContent()) || '';
  const shownBias = Number((nodeText.match(/=\s*(\S+)$/) || [])[1]);
  check(`${name}: hovering a neuron shows its bias`,
        Math.abs(shownBias - bias) <= 1e-3 * Math.max(1, Math.abs(bias)), `"${nodeText}", bias ${bias}`);
  await page.mouse.move(1, 1);

  const png = await page.screenshot({ fullPage: false });
  const stats = colourStats(decodePng(png));
  check(`${name}: the screenshot is not blank`, stats.colours > 50 && stats.inked > 0.02,
        `${stats.colours} colours, ${(stats.inked * 100).toFixed(1)}% not background`);
  fs.writeFileSync(path.join(work, `${name}.png`), png);
  return page;
}

async function main() {
  if (!neurona) fatal('--neurona PATH (the built neurona) is required');
  let chromium;
  try {
    ({ chromium } = require('playwright-core'));
  } catch (error) {
    fatal('playwright-core is not installed in tests/e2e: run scripts/install-e2e ' +
          '(npm ci --no-audit --no-fund in tests/e2e)');
  }
  if (!fs.existsSync(chromiumPath))
    fatal(`${chromiumPath} is missing: install Debian's chromium (scripts/install-deps, as root)`);
  fs.mkdirSync(work, { recursive: true });
  makeReports();
  const majoritySize = fs.statSync(path.join(work, 'majority.html')).size;
  check('the tutorial network\'s report is under 1 MB', majoritySize < 1 << 20, `${majoritySize} bytes`);

  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'neurona-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
           '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    await checkReport(context, 'majority', path.join(work, 'majority.html'), 3 + 2 + 4 + 1,
                      3 * 2 + 2 * 4 + 4 * 1);
    const page = await checkReport(context, 'xor', path.join(work, 'xor.html'), 2 + 16 + 16 + 1,
                                   2 * 16 + 16 * 16 + 16 * 1);
    // The decision surface and the 32 neuron maps were painted: each canvas holds many colours.
    const painted = await page.evaluate(() => [...document.querySelectorAll('canvas.raster')].map((c) => {
      const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data, seen = new Set();
      for (let i = 0; i < data.length; i += 4) seen.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
      return seen.size;
    }));
    check('xor: the surface and 32 neuron maps are painted', painted.length === 33 &&
          painted.filter((n) => n > 1).length >= 30, `colours per canvas: ${painted.join(',')}`);
    const truthTables = await page.locator('table.truth').count();
    check('xor: no truth table for real-valued inputs', truthTables === 0, `${truthTables}`);
    if (args.screenshot) {
      // For the README: the page down to the decision surface, zoomed out to stay small.
      await page.setViewportSize({ width: 800, height: 600 });
      const height = await page.evaluate(() => {
        document.body.style.zoom = '0.64';
        const plot = document.querySelector('#surface .plot');
        return Math.ceil(plot.getBoundingClientRect().bottom + window.scrollY + 12);
      });
      await page.setViewportSize({ width: 800, height });
      const shot = await page.screenshot();
      fs.writeFileSync(args.screenshot, shot);
      console.log(`# wrote ${args.screenshot} (${shot.length} bytes)`);
    }
  } catch (error) {
    check('the browser checks ran to the end', false, error.stack || String(error));
  } finally {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
  finish();
}

main().catch((error) => fatal(error.stack || String(error)));
