// The OpenAPI document as a checker of live answers: finds the operation a request went to, requires the answer's
// status to be one the operation lists, and validates its JSON body (ajv, JSON Schema 2020-12) and the headers the
// document describes. It also counts which (operation, status) pairs were seen.
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

// "#/components/schemas/X" → "openapi#/$defs/X": the document's schemas become one ajv schema that inline schemas
// reference by id.
function rewriteRefs(value) {
  if (Array.isArray(value)) return value.map(rewriteRefs);
  if (value && typeof value === "object") {
    const out = {};
    for (const [key, item] of Object.entries(value)) {
      out[key] =
        key === "$ref" && typeof item === "string" && item.startsWith("#/components/schemas/")
          ? `openapi#/$defs/${item.slice("#/components/schemas/".length)}`
          : rewriteRefs(item);
    }
    return out;
  }
  return value;
}

function baseType(contentType) {
  return (contentType || "").split(";")[0].trim().toLowerCase();
}

export class Contract {
  constructor(document) {
    this.document = document;
    this.ajv = new Ajv2020({ strict: true, strictTypes: false, strictRequired: false, allErrors: true });
    addFormats(this.ajv);
    this.ajv.addFormat("binary", true);
    this.ajv.addSchema({ $id: "openapi", $defs: rewriteRefs(document.components.schemas) });
    this.validators = new Map();
    this.seen = new Map(); // "GET /path" → Set of statuses
    this.operations = [];
    for (const [path, item] of Object.entries(document.paths)) {
      const pattern = new RegExp(
        "^" + path.replace(/[.]/g, "\\.").replace(/\{[^}]+\}/g, (name) => (name === "{path}" || name === "{key}" ? "(.+)" : "([^/]+)")) + "$",
      );
      for (const method of METHODS) {
        if (item[method]) this.operations.push({ path, method, pattern, operation: item[method] });
      }
    }
  }

  // Every schema of the document compiles (strict: unknown keywords and formats are errors).
  compileAll() {
    for (const { operation } of this.operations) {
      for (const status of Object.keys(operation.responses)) {
        const answer = this.response(operation, status);
        for (const media of Object.values(answer.content || {})) if (media.schema) this.validator(media.schema);
        for (const header of Object.values(answer.headers || {})) if (header.schema) this.validator(header.schema);
      }
      for (const media of Object.values(operation.requestBody?.content || {})) this.validator(media.schema);
      for (const parameter of operation.parameters || []) this.validator(parameter.schema);
    }
    for (const answer of Object.values(this.document.components.responses)) {
      for (const media of Object.values(answer.content || {})) this.validator(media.schema);
    }
  }

  validator(schema) {
    let validate = this.validators.get(schema);
    if (!validate) {
      validate = this.ajv.compile(rewriteRefs(schema));
      this.validators.set(schema, validate);
    }
    return validate;
  }

  response(operation, status) {
    let answer = operation.responses[String(status)];
    if (answer && answer.$ref) answer = this.resolve(answer.$ref);
    return answer;
  }

  resolve(ref) {
    return ref
      .slice(2)
      .split("/")
      .reduce((node, key) => node[key], this.document);
  }

  // The operation `method rawPath` goes to, by the document's path templates (literal paths win).
  find(method, rawPath) {
    // The router drops empty segments: "/admin/" is "/admin", "//healthz" is "/healthz".
    const path = rawPath.replace(/\/+/g, "/").replace(/(.)\/$/, "$1");
    const candidates = this.operations.filter((o) => o.method === method.toLowerCase() && o.pattern.test(path));
    candidates.sort((a, b) => (a.path.includes("{") ? 1 : 0) - (b.path.includes("{") ? 1 : 0));
    return candidates[0];
  }

  // Problems with `result` ({status, headers, body}) for `method path`; [] when it is as documented.
  check(method, path, result) {
    const lookup = method.toUpperCase() === "HEAD" ? "GET" : method;
    const found = this.find(lookup, path);
    if (!found) return [`${method} ${path}: no documented operation`];
    const key = `${found.method.toUpperCase()} ${found.path}`;
    if (!this.seen.has(key)) this.seen.set(key, new Set());
    this.seen.get(key).add(result.status);
    const answer = this.response(found.operation, result.status);
    if (!answer) {
      return [`${key}: status ${result.status} is not documented (${Object.keys(found.operation.responses)}): ${result.body}`];
    }
    return this.checkAnswer(key, answer, result, method.toUpperCase() === "HEAD");
  }

  // A result checked against a response object of the document (also the shared 405/404 answers).
  checkAnswer(key, answer, result, head = false) {
    const problems = [];
    for (const [name, header] of Object.entries(answer.headers || {})) {
      const value = result.headers[name.toLowerCase()];
      if (value === undefined || !header.schema) continue;
      if (!this.validator(header.schema)(value)) problems.push(`${key} ${result.status}: header ${name}: ${value}`);
    }
    const content = answer.content || {};
    const type = baseType(result.headers["content-type"]);
    if (Object.keys(content).length === 0) {
      if (result.body.length !== 0) problems.push(`${key} ${result.status}: a body where none is documented`);
      return problems;
    }
    const mediaKey = Object.keys(content).find((m) => m === "*/*" || baseType(m) === type);
    if (!mediaKey) {
      problems.push(`${key} ${result.status}: Content-Type ${type} is not one of ${Object.keys(content)}`);
      return problems;
    }
    if (mediaKey !== "*/*" && result.headers["content-type"] && mediaKey.includes(";") &&
        result.headers["content-type"].replace(/ /g, "") !== mediaKey.replace(/ /g, "")) {
      problems.push(`${key} ${result.status}: Content-Type ${result.headers["content-type"]} is not ${mediaKey}`);
    }
    if (head || type !== "application/json") return problems;
    let body;
    try {
      body = JSON.parse(result.body);
    } catch {
      problems.push(`${key} ${result.status}: the body is not JSON: ${result.body.slice(0, 200)}`);
      return problems;
    }
    const validate = this.validator(content[mediaKey].schema);
    if (!validate(body)) {
      problems.push(`${key} ${result.status}: ${this.ajv.errorsText(validate.errors)}; body ${result.body.slice(0, 400)}`);
    }
    return problems;
  }
}
