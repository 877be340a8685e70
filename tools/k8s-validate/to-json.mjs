// Reads a multi-document YAML stream on stdin (kubectl kustomize's output) and prints its objects as one JSON array,
// for tests written in languages without a YAML parser (tests/unit/Deploy).
import { parseAllDocuments } from "yaml";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const docs = parseAllDocuments(Buffer.concat(chunks).toString("utf8"));
const errors = docs.flatMap(d => d.errors.map(e => e.message));
if (errors.length > 0) {
  console.error(errors.join("\n"));
  process.exit(1);
}
process.stdout.write(JSON.stringify(docs.map(d => d.toJS()).filter(o => o != null)));
