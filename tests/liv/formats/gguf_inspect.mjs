// Reads a GGUF file with Hugging Face's independent parser (@huggingface/gguf, pinned in
// results/web/package.json, installed by scripts/web_deps.sh) and prints what it found as
// one JSON document: version, tensor data offset, parameter count, every metadata key with
// its value (64-bit integers as strings), and every tensor info (name, dims innermost
// first, ggml type number, offset). GgufIndependentReaderTest compares it with the
// project's own reader. Usage: node gguf_inspect.mjs FILE.gguf
import path from 'node:path';
import {createRequire} from 'node:module';
import {fileURLToPath} from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const WEB = path.join(HERE, '..', '..', '..', 'results', 'web');
const require = createRequire(path.join(WEB, 'package.json'));

const file = process.argv[2];
if (!file) {
  console.error('usage: node gguf_inspect.mjs FILE.gguf');
  process.exit(2);
}
let gguf;
try {
  ({gguf} = require('@huggingface/gguf'));
} catch (e) {
  console.error(`cannot load @huggingface/gguf from ${WEB}/node_modules (run scripts/web_deps.sh): ${e.message}`);
  process.exit(2);
}
const parsed = await gguf(path.resolve(file), {allowLocalFile: true, computeParametersCount: true});
const plain = (v) => (typeof v === 'bigint' ? v.toString() : Array.isArray(v) ? v.map(plain) : v);
const metadata = {};
for (const [key, value] of Object.entries(parsed.metadata)) metadata[key] = plain(value);
console.log(JSON.stringify({
  version: plain(parsed.metadata.version),
  tensor_data_offset: parsed.tensorDataOffset.toString(),
  parameter_count: parsed.parameterCount,
  metadata,
  tensors: parsed.tensorInfos.map((t) => ({
    name: t.name,
    dims: t.shape.map((d) => d.toString()),
    type: t.dtype,
    offset: t.offset.toString(),
  })),
}));
