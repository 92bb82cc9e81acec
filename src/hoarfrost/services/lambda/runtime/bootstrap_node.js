// hoarfrost's runtime client for Node.js functions: runs inside a worker process, never inside
// hoarfrost. Same protocol as bootstrap_python.py: 4-byte big-endian length + JSON frames on two
// pipes (argv[2] from hoarfrost, argv[3] to it); the handler module is loaded once (init), then
// invocations are answered until the control pipe closes. Handlers may be async, return a
// promise, or take a callback; console output is logged as AWS's Node runtime formats it.
"use strict";

const fs = require("fs");
const path = require("path");
const url = require("url");

const inFd = Number(process.argv[2]);
const outFd = Number(process.argv[3]);

function send(message) {
  const body = Buffer.from(JSON.stringify(message), "utf8");
  const head = Buffer.alloc(4);
  head.writeUInt32BE(body.length, 0);
  const data = Buffer.concat([head, body]);
  let offset = 0;
  while (offset < data.length) {
    try {
      offset += fs.writeSync(outFd, data, offset, data.length - offset);
    } catch (err) {
      if (err.code !== "EAGAIN") throw err;
    }
  }
}

let currentRequestId = undefined;

function format(args) {
  return args.map((a) => (typeof a === "string" ? a : require("util").inspect(a, { depth: 5 }))).join(" ");
}

for (const [name, level] of [["log", "INFO"], ["info", "INFO"], ["warn", "WARN"], ["error", "ERROR"], ["debug", "DEBUG"]]) {
  console[name] = (...args) => {
    const prefix = `${new Date().toISOString()}\t${currentRequestId || "undefined"}\t${level}\t`;
    send({ type: "log", text: prefix + format(args) + "\n" });
  };
}
process.stdout.write = (chunk) => { send({ type: "log", text: String(chunk) }); return true; };
process.stderr.write = (chunk) => { send({ type: "log", text: String(chunk) }); return true; };

function errorObject(err, type) {
  if (!(err instanceof Error)) {
    return { errorType: type || "Error", errorMessage: String(err), trace: [] };
  }
  return { errorType: type || err.name, errorMessage: err.message, trace: String(err.stack || "").split("\n") };
}

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

async function main() {
  const started = Date.now();
  let fn;
  try {
    fn = await load(process.env._HANDLER);
  } catch (err) {
    send({ type: "ready", init_ms: Date.now() - started, error: err.payload || errorObject(err) });
    return;
  }
  send({ type: "ready", init_ms: Date.now() - started, error: null });
  let buffer = Buffer.alloc(0);
  const stream = fs.createReadStream(null, { fd: inFd });
  const queue = [];
  let busy = false;
  async function drain() {
    if (busy) return;
    busy = true;
    while (queue.length) {
      const message = queue.shift();
      const requestId = message.request_id;
      currentRequestId = requestId;
      const context = {
        functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
        functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
        invokedFunctionArn: message.invoked_arn,
        memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
        awsRequestId: requestId,
        logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
        logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
        callbackWaitsForEmptyEventLoop: true,
        getRemainingTimeInMillis: () => Math.max(message.deadline_ms - Date.now(), 0),
      };
      try {
        const result = await invoke(fn, JSON.parse(message.event), context);
        const payload = result === undefined ? "null" : JSON.stringify(result);
        send({ type: "result", payload: payload === undefined ? "null" : payload });
      } catch (err) {
        const error = errorObject(err);
        send({ type: "errorlog", text: `${new Date().toISOString()}\t${requestId}\tERROR\tInvoke Error \t${JSON.stringify(error)}\n` });
        send({ type: "error", error });
      }
    }
    busy = false;
  }
  stream.on("data", (chunk) => {
    buffer = Buffer.concat([buffer, chunk]);
    while (buffer.length >= 4) {
      const size = buffer.readUInt32BE(0);
      if (buffer.length < 4 + size) break;
      queue.push(JSON.parse(buffer.slice(4, 4 + size).toString("utf8")));
      buffer = buffer.slice(4 + size);
    }
    drain();
  });
  stream.on("end", () => process.exit(0));
  stream.on("error", () => process.exit(0));
}

main();
