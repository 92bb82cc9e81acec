// hoarfrost's runtime client for Node.js functions: runs inside a worker process, never inside
// hoarfrost. It speaks the Lambda Runtime API at AWS_LAMBDA_RUNTIME_API as AWS's own Node runtime
// does: the handler module is loaded once (init; a failure goes to /runtime/init/error), then
// /invocation/next is polled and each event answered at /invocation/<id>/response or /error.
// Handlers may be async, return a promise, or take a callback; a handler wrapped in
// awslambda.streamifyResponse writes its response as a stream (chunked, response mode
// "streaming"), which InvokeWithResponseStream hands on in pieces. Console output is logged as
// AWS's Node runtime formats it, one log event per call (inner newlines become carriage returns).
"use strict";

const fs = require("fs");
const http = require("http");
const path = require("path");
const url = require("url");
const util = require("util");
const { Writable } = require("stream");

const address = process.env.AWS_LAMBDA_RUNTIME_API;
const slash = address.indexOf("/");
const [hostPort, prefix] = slash < 0 ? [address, ""] : [address.slice(0, slash), address.slice(slash)];
const [host, port] = hostPort.split(":");
const base = `${prefix}/2018-06-01/runtime`;
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function request(method, route, body, headers) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host, port: Number(port), method, path: base + route, agent, headers: headers || {} }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on("error", reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

function post(route, document, errorType) {
  const body = Buffer.isBuffer(document) ? document : Buffer.from(JSON.stringify(document), "utf8");
  const headers = { "Content-Type": "application/json", "Content-Length": body.length };
  if (errorType) headers["Lambda-Runtime-Function-Error-Type"] = errorType;
  return request("POST", route, body, headers);
}

let currentRequestId = undefined;

function record(text) {
  fs.writeSync(1, text.replace(/\n+$/, "").replace(/\n/g, "\r") + "\n");
}

for (const [name, level] of [["log", "INFO"], ["info", "INFO"], ["warn", "WARN"], ["error", "ERROR"], ["debug", "DEBUG"]]) {
  console[name] = (...args) => {
    const text = args.map((a) => (typeof a === "string" ? a : util.inspect(a, { depth: 5 }))).join(" ");
    record(`${new Date().toISOString()}\t${currentRequestId || "undefined"}\t${level}\t${text}`);
  };
}

function errorObject(err, type) {
  if (!(err instanceof Error)) {
    return { errorType: type || "Error", errorMessage: String(err), trace: [] };
  }
  return { errorType: type || err.name, errorMessage: err.message, trace: String(err.stack || "").split("\n") };
}

// What AWS's runtime puts on the global `awslambda` for response streaming.
const STREAMING = Symbol.for("aws.lambda.runtime.handler.streaming");
globalThis.awslambda = {
  streamifyResponse(handler) {
    handler[STREAMING] = "response";
    return handler;
  },
  HttpResponseStream: {
    from(stream, metadata) {
      stream.setContentType("application/vnd.awslambda.http-integration-response");
      stream.write(JSON.stringify(metadata || {}));
      stream.write(Buffer.alloc(8));
      return stream;
    },
  },
};

async function load(handler) {
  const root = process.env.LAMBDA_TASK_ROOT;
  const dot = handler.lastIndexOf(".");
  if (dot < 1) {
    throw { payload: { errorType: "Runtime.MalformedHandlerName", errorMessage: `Bad handler ${handler}`, trace: [] } };
  }
  const modulePath = handler.slice(0, dot);
  const functionName = handler.slice(dot + 1);
  const base = path.resolve(root, modulePath);
  let mod;
  try {
    if (fs.existsSync(base + ".mjs")) {
      mod = await import(url.pathToFileURL(base + ".mjs").href);
    } else {
      try {
        mod = require(base);
      } catch (err) {
        if (err && err.code === "ERR_REQUIRE_ESM") {
          mod = await import(url.pathToFileURL(base + ".js").href);
        } else {
          throw err;
        }
      }
    }
  } catch (err) {
    const type = err && err.code === "MODULE_NOT_FOUND" ? "Runtime.ImportModuleError" : (err instanceof SyntaxError ? "Runtime.UserCodeSyntaxError" : undefined);
    throw { payload: errorObject(err, type) };
  }
  const fn = mod[functionName] || (mod.default && mod.default[functionName]);
  if (typeof fn !== "function") {
    throw { payload: { errorType: "Runtime.HandlerNotFound", errorMessage: `${handler} is undefined or not exported`, trace: [] } };
  }
  return fn;
}

function invoke(fn, event, context) {
  return new Promise((resolve, reject) => {
    let settled = false;
    const callback = (err, result) => {
      if (settled) return;
      settled = true;
      if (err !== null && err !== undefined) reject(err); else resolve(result);
    };
    try {
      const out = fn(event, context, callback);
      if (out && typeof out.then === "function") {
        out.then((v) => callback(null, v), (e) => callback(e === undefined || e === null ? new Error("undefined") : e));
      } else if (fn.length < 3) {
        callback(null, out);
      }
    } catch (err) {
      callback(err);
    }
  });
}

// A streamed response: the request body is the stream the handler writes, sent chunked.
function responseStream(requestId) {
  let contentType = "application/octet-stream";
  let req = null;
  let finished;
  const done = new Promise((resolve, reject) => { finished = { resolve, reject }; });
  function open() {
    if (req) return req;
    req = http.request({
      host, port: Number(port), method: "POST", path: `${base}/invocation/${requestId}/response`, agent,
      headers: { "Lambda-Runtime-Function-Response-Mode": "streaming", "Transfer-Encoding": "chunked",
                 "Content-Type": contentType, "Trailer": "Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body" },
    }, (res) => { res.resume(); res.on("end", () => finished.resolve()); });
    req.on("error", (e) => finished.reject(e));
    return req;
  }
  const stream = new Writable({
    write(chunk, encoding, cb) { open().write(chunk, cb); },
    final(cb) { open().end(); cb(); },
  });
  stream.setContentType = (type) => { contentType = type; };
  stream.fail = (err) => {
    const error = errorObject(err);
    const r = open();
    r.addTrailers({ "Lambda-Runtime-Function-Error-Type": error.errorType,
                    "Lambda-Runtime-Function-Error-Body": Buffer.from(JSON.stringify(error)).toString("base64") });
    r.end();
  };
  stream.done = done;
  return stream;
}

async function answer(fn, invocation) {
  const requestId = invocation.headers["lambda-runtime-aws-request-id"];
  currentRequestId = requestId;
  process.env._X_AMZN_TRACE_ID = invocation.headers["lambda-runtime-trace-id"] || "";
  const deadline = Number(invocation.headers["lambda-runtime-deadline-ms"] || 0);
  const parse = (v) => { try { return v ? JSON.parse(v) : undefined; } catch (e) { return undefined; } };
  const context = {
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: invocation.headers["lambda-runtime-invoked-function-arn"],
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: requestId,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    clientContext: parse(invocation.headers["lambda-runtime-client-context"]),
    identity: parse(invocation.headers["lambda-runtime-cognito-identity"]),
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(deadline - Date.now(), 0),
  };
  const event = JSON.parse(invocation.body.toString("utf8"));
  if (fn[STREAMING] === "response") {
    const stream = responseStream(requestId);
    try {
      await fn(event, stream, context);
      if (!stream.writableFinished && !stream.writableEnded) stream.end();
    } catch (err) {
      record(`${new Date().toISOString()}\t${requestId}\tERROR\tInvoke Error \t${JSON.stringify(errorObject(err))}`);
      stream.fail(err);
    }
    await stream.done;
    return;
  }
  try {
    const result = await invoke(fn, event, context);
    const payload = result === undefined ? "null" : JSON.stringify(result);
    await post(`/invocation/${requestId}/response`, Buffer.from(payload === undefined ? "null" : payload, "utf8"));
  } catch (err) {
    const error = errorObject(err);
    record(`${new Date().toISOString()}\t${requestId}\tERROR\tInvoke Error \t${JSON.stringify(error)}`);
    await post(`/invocation/${requestId}/error`, error, "Unhandled");
  }
}

async function main() {
  let fn;
  try {
    fn = await load(process.env._HANDLER);
  } catch (err) {
    const payload = err.payload || errorObject(err);
    await post("/init/error", payload, payload.errorType);
    process.exit(1);
  }
  for (;;) {
    const invocation = await request("GET", "/invocation/next");
    if (invocation.status !== 200) process.exit(0);
    await answer(fn, invocation);
  }
}

main();
