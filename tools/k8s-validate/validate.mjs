// Validates Kubernetes objects against the OpenAPI schemas of the kubernetes-models packages.
// Usage: kubectl kustomize k8s/overlays/prod | node tools/k8s-validate/validate.mjs [name-for-messages]
// Reads a multi-document YAML stream from stdin. Prints one line per object ("ok Kind/name" or "invalid Kind/name: why")
// and a last line "N valid, N invalid"; exits 1 when any object is invalid, is of an unknown kind, or nothing was read.
import { parseAllDocuments } from "yaml";

const label = process.argv[2] ?? "stdin";

// apiVersion → module prefix. Core kinds come from kubernetes-models; the prometheus-operator CRDs from their own package.
function modulePath(apiVersion, kind) {
  if (apiVersion.startsWith("monitoring.coreos.com/")) return `@kubernetes-models/prometheus-operator/${apiVersion}/${kind}`;
  return `kubernetes-models/${apiVersion}/${kind}`;
}

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString("utf8");
}

const docs = parseAllDocuments(await readStdin());
let valid = 0;
let invalid = 0;
for (const doc of docs) {
  if (doc.errors.length > 0) {
    invalid++;
    console.log(`invalid (YAML) in ${label}: ${doc.errors.map(e => e.message).join("; ")}`);
    continue;
  }
  const obj = doc.toJS();
  if (obj == null) continue;
  const name = `${obj.kind}/${obj.metadata?.name ?? "?"}`;
  let Model;
  try {
    ({ [obj.kind]: Model } = await import(modulePath(obj.apiVersion ?? "", obj.kind ?? "")));
  } catch {
    Model = undefined;
  }
  if (typeof Model !== "function") {
    invalid++;
    console.log(`invalid ${name} in ${label}: no schema for apiVersion ${obj.apiVersion} kind ${obj.kind}`);
    continue;
  }
  try {
    new Model(obj).validate();
    valid++;
    console.log(`ok ${name}`);
  } catch (e) {
    invalid++;
    const details = Array.isArray(e.errors) ? e.errors.map(x => `${x.instancePath} ${x.message}`).join("; ") : e.message;
    console.log(`invalid ${name} in ${label}: ${details}`);
  }
}
console.log(`${valid} valid, ${invalid} invalid`);
process.exit(invalid > 0 || valid === 0 ? 1 : 0);
