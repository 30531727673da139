// Finishes the release browser bundle that `cargo leptos build` left in a site folder: runs
// binaryen's -Oz on every WASM file and writes a Brotli and a gzip copy of every file
// (what `wasm-opt` and `--precompress` did inside cargo-leptos, a third of the time).
//
// Why not let cargo-leptos do it: it starts binaryen's wasm-opt once per file, and the npm
// wasm-opt is a Node.js program that compiles 10 MB of binaryen at every start; a split
// build has a hundred files, so the starts cost more than the optimising. Here binaryen is
// loaded once per core. Its compression ran in an unoptimised build of the tool (installed
// that way to halve its install), 50 s where Node's native zlib takes a few.
//
//   node scripts/finish-bundle.mjs target/site
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { readFileSync, writeFileSync, readdirSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import zlib from 'node:zlib';

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);
const here = dirname(fileURLToPath(import.meta.url));
const binaryenUrl = pathToFileURL(join(here, '..', 'end2end', 'node_modules', 'binaryen', 'index.js')).href;

if (isMainThread) {
  await main(process.argv[2]);
} else {
  await optimiser();
}

async function main(site) {
  if (!site) {
    console.error('usage: node scripts/finish-bundle.mjs <site folder>');
    process.exit(2);
  }
  const started = Date.now();
  const files = walk(site).filter((file) => !file.endsWith('.br') && !file.endsWith('.gz'));
  const wasm = files
    .filter((file) => file.endsWith('.wasm'))
    .map((file) => ({ file, size: statSync(file).size }))
    .sort((a, b) => b.size - a.size);
  await optimise(wasm.map((w) => w.file));
  const optimised = Date.now();
  await Promise.all(files.map(compress));
  console.error(
    `==> optimised ${wasm.length} WASM files in ${((optimised - started) / 1000).toFixed(1)} s, ` +
      `compressed ${files.length} files in ${((Date.now() - optimised) / 1000).toFixed(1)} s`,
  );
}

function walk(folder) {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    return entry.isDirectory() ? walk(path) : [path];
  });
}

// Hands the files, largest first, to one worker per core as each finishes its last.
function optimise(queue) {
  const workers = Math.max(1, Math.min(availableParallelism(), queue.length));
  let failed = null;
  return new Promise((resolve, reject) => {
    let running = workers;
    for (let i = 0; i < workers; i++) {
      const worker = new Worker(fileURLToPath(import.meta.url), { workerData: { binaryenUrl } });
      const next = () => {
        const file = failed ? undefined : queue.shift();
        if (file) worker.postMessage(file);
        else worker.postMessage(null);
      };
      worker.on('message', (message) => {
        if (message.error) failed = new Error(`wasm-opt failed on ${message.file}: ${message.error}`);
        next();
      });
      worker.on('error', (error) => {
        failed = error;
      });
      worker.on('exit', () => {
        running -= 1;
        if (running === 0) (failed ? reject(failed) : resolve)();
      });
      next();
    }
  });
}

async function optimiser() {
  // Binaryen warns once per file that it does not know the name section's label names
  // (subsection 3, which Rust's toolchain writes); names are not emitted anyway. Binaryen
  // binds console.error when it loads, so the filter goes in first.
  const report = console.error;
  console.error = (...args) => {
    if (!String(args[0]).startsWith('warning: unknown name subsection')) report(...args);
  };
  const { default: binaryen } = await import(workerData.binaryenUrl);
  // -Oz, with the features cargo-leptos enables (--enable-bulk-memory
  // --enable-nontrapping-float-to-int) on top of binaryen's defaults.
  binaryen.setOptimizeLevel(2);
  binaryen.setShrinkLevel(2);
  parentPort.on('message', (file) => {
    if (file === null) {
      parentPort.close();
      return;
    }
    try {
      const module = binaryen.readBinary(readFileSync(file));
      module.setFeatures(module.getFeatures() | binaryen.Features.BulkMemory | binaryen.Features.NontrappingFPToInt);
      module.optimize();
      writeFileSync(file, module.emitBinary());
      module.dispose();
      parentPort.postMessage({ file });
    } catch (error) {
      parentPort.postMessage({ file, error: String(error) });
    }
  });
}

async function compress(file) {
  const data = readFileSync(file);
  const [br, gz] = await Promise.all([
    brotli(data, {
      params: {
        [zlib.constants.BROTLI_PARAM_QUALITY]: zlib.constants.BROTLI_MAX_QUALITY,
        [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length,
      },
    }),
    gzip(data, { level: zlib.constants.Z_BEST_COMPRESSION }),
  ]);
  writeFileSync(`${file}.br`, br);
  writeFileSync(`${file}.gz`, gz);
}
