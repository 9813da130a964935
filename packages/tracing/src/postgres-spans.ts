import { SpanKind, SpanStatusCode, type Attributes, type Context, type Span, type Tracer } from "@opentelemetry/api";
import { tracedContext } from "./traced-context";

// postgres.js has no instrumentation hooks: a Proxy over the client marks each query it returns,
// and the query's own handle()/resolve()/reject() (called once each by postgres.js) start and end
// its span. Drizzle runs through the same client, so its statements are covered too.

/** The parts of a postgres.js Query this module relies on. */
interface QueryLike {
  executed: boolean;
  string?: string;
  handle: (this: QueryLike) => Promise<void>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type AnyFn = (...args: unknown[]) => unknown;

const MAX_TEXT = 2_000;

function isQuery(value: unknown): value is QueryLike {
  return value instanceof Promise && typeof (value as Partial<QueryLike>).handle === "function" && "executed" in value;
}

/** Statement text without values (postgres.js sends them as parameters), shortened for batches. */
const queryText = (q: QueryLike) => (q.string && q.string.length > MAX_TEXT ? `${q.string.slice(0, MAX_TEXT)}…` : q.string ?? "");
const operation = (text: string) => /^\s*(\w+)/.exec(text)?.[1]?.toUpperCase() ?? "SQL";

/** Wraps a postgres.js client (or transaction client) so each statement run inside a trace gets a CLIENT span. */
export function traceSql<S extends object>(sql: S, tracer: Tracer): S {
  const options = (sql as { options?: { host?: string[]; port?: number[]; database?: string } }).options;
  const base: Attributes = {
    "db.system.name": "postgresql",
    ...(options?.database ? { "db.namespace": options.database } : {}),
    ...(options?.host?.[0] ? { "server.address": options.host[0] } : {}),
    ...(options?.port?.[0] ? { "server.port": options.port[0] } : {}),
  };

  const instrument = (value: unknown): unknown => {
    if (!isQuery(value)) return value; // a helper or fragment builder, not a statement
    const handle = value.handle;
    value.handle = function handleTraced(this: QueryLike) {
      if (!this.executed) {
        const parent = tracedContext();
        if (parent) start(this, parent);
      }
      return handle.call(this);
    };
    return value;
  };
  const start = (q: QueryLike, parent: Context) => {
    const span = tracer.startSpan("postgresql", { kind: SpanKind.CLIENT, attributes: base }, parent);
    const { resolve, reject } = q;
    q.resolve = (result) => {
      end(span, q);
      resolve(result);
    };
    q.reject = (error) => {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
      end(span, q);
      reject(error);
    };
  };
  const end = (span: Span, q: QueryLike) => {
    const text = queryText(q);
    span.updateName(operation(text));
    span.setAttribute("db.query.text", text);
    span.end();
  };

  // A transaction is one span; its statements (on the transaction's own client) are its children.
  const inTransaction = (fn: AnyFn, target: S) => (...args: unknown[]) => {
    const parent = tracedContext();
    const callback = args[args.length - 1] as AnyFn;
    args[args.length - 1] = (tx: object) => callback(traceSql(tx, tracer));
    if (!parent) return fn.apply(target, args);
    return tracer.startActiveSpan("transaction", { kind: SpanKind.CLIENT, attributes: base }, parent, async (span) => {
      try {
        return await fn.apply(target, args);
      } catch (error) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
        throw error;
      } finally {
        span.end();
      }
    });
  };

  const wrapped = new Map<PropertyKey, unknown>();
  return new Proxy(sql, {
    apply: (target, thisArg, args) => instrument(Reflect.apply(target as AnyFn, thisArg, args)),
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== "function") return value;
      const cached = wrapped.get(property);
      if (cached) return cached;
      const fn = value as AnyFn;
      let result: unknown;
      if (property === "unsafe" || property === "file") result = (...args: unknown[]) => instrument(fn.apply(target, args));
      else if (property === "begin" || property === "savepoint") result = inTransaction(fn, target);
      else if (property === "reserve") result = async (...args: unknown[]) => traceSql((await fn.apply(target, args)) as object, tracer);
      else return value;
      wrapped.set(property, result);
      return result;
    },
  });
}
