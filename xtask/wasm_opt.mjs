// `wasm-opt -Oz` on every module named, in one process (xtask/src/spa.rs):
// binaryen from npm is JavaScript, and starting it once per module took
// seconds each for the split SPA's dozens of chunks.
//
// usage: node wasm_opt.mjs <binaryen's index.js> <module.wasm>...
import { readFileSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const [binaryenPath, ...modules] = process.argv.slice(2);
const { default: binaryen } = await import(pathToFileURL(binaryenPath).href);

// The features rustc's wasm32 target emits today (as the CLI's --enable-…).
const F = binaryen.Features;
const features =
  F.MVP | F.BulkMemory | F.NontrappingFPToInt | F.SignExt | F.MutableGlobals |
  F.ReferenceTypes | F.Multivalue |
  // Parts of bulk memory and reference types binaryen names apart.
  (F.BulkMemoryOpt ?? 0) | (F.CallIndirectOverlong ?? 0);
// -Oz
binaryen.setOptimizeLevel(2);
binaryen.setShrinkLevel(2);
// ROSTER_WASM_NAMES=1 keeps the functions' names, for a profile that
// names them (a larger build, never shipped).
binaryen.setDebugInfo(process.env.ROSTER_WASM_NAMES === "1");

for (const path of modules) {
  const module = binaryen.readBinary(readFileSync(path));
  module.setFeatures(features);
  module.optimize();
  if (!module.validate()) {
    console.error(`wasm_opt.mjs: ${path} does not validate after optimisation`);
    process.exit(1);
  }
  writeFileSync(path, module.emitBinary());
  module.dispose();
}
