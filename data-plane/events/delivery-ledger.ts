/**
 * The record of which event target took which event, so a retried `POST /events` reaches only the
 * targets that did not take it. Before a target is sent a batch, each keyed record is claimed for it
 * (a lease as long as one request can run); a claim the target then took becomes `taken`, kept for
 * the ledger's window (`P13N_EVENT_IDEMPOTENCY_SECONDS`), and a claim whose delivery failed is
 * released, so the retry claims it again. A record another request holds a live claim on is `busy`:
 * that request is delivering it right now.
 *
 * Two back ends: DynamoDB (dynamodb-ledger.ts), shared by every Lambda instance, and the in-memory LRU
 * here for `p13n serve` (one process; forgotten at restart). Both store a fixed-length hash of
 * (namespace, target, key) — never the client's text — so what one entry costs is bounded whatever the
 * client sent, and both bound the time an entry is kept; the LRU also bounds how many it keeps.
 *
 * This follows @aws-lambda-powertools/idempotency's DynamoDB record (a conditional put that succeeds
 * when the key is absent or expired, an in-progress state with its own expiry) without using the
 * package: its model is one function call per key with a stored result, where ours is per (target,
 * record) on batches, its in-progress lock outside a Lambda handler's context lasts the whole window,
 * and it has no 2.36.0 release to match the other Powertools packages.
 */
import { createHash, randomUUID } from 'node:crypto';
import { LRUCache } from 'lru-cache';

/** How long a taken record is remembered by default: a client's retries come within minutes. */
export const DEFAULT_IDEMPOTENCY_SECONDS = 3600;
/** Entries the in-memory ledger keeps at most (about 150 bytes each). */
export const DEFAULT_MAX_LEDGER_ENTRIES = 100_000;

export interface ClaimResult {
  /** Keys claimed for this delivery: send them, then commit or release. */
  claimed: Set<string>;
  /** Keys the target already took in an earlier request: not sent again. */
  taken: Set<string>;
  /** Keys another request is delivering to the target right now. */
  busy: Set<string>;
}

export interface DeliveryLedger {
  /** Claims `keys` of `namespace` for `target` (one claim per key, atomic per key). */
  claim(scope: LedgerScope, keys: readonly string[], signal?: AbortSignal): Promise<Claim>;
  /** Loads what the first claim would (the DynamoDB ledger's module and client), so that no request waits for it. */
  load?(): Promise<void>;
}

/** Claims held by one delivery. */
export interface Claim extends ClaimResult {
  /** The target took these claimed keys: remember them for the window. */
  commit(keys: Iterable<string>, signal?: AbortSignal): Promise<void>;
  /** The delivery of these claimed keys failed: let a retry claim them. */
  release(keys: Iterable<string>, signal?: AbortSignal): Promise<void>;
}

export interface LedgerScope {
  namespace: string;
  target: string;
}

export interface LedgerTiming {
  /** How long a taken record is remembered (seconds). */
  ttlSeconds: number;
  /** How long a claim holds before another request may take it over (ms): longer than one request runs. */
  claimMs: number;
  /** Epoch milliseconds. */
  clock: () => number;
}

/** The fixed-length stored form of a key: its namespace, target and text never reach the store. */
export function ledgerId(scope: LedgerScope, key: string): string {
  return createHash('sha256').update(`${scope.namespace}\u0000${scope.target}\u0000${key}`).digest('base64url');
}

interface MemoryEntry {
  status: 'claimed' | 'taken';
  owner: string;
  expiresAt: number;
}

/**
 * The in-memory ledger of `p13n serve`: an LRU of at most `maxEntries`, each entry expiring with its
 * claim or window. Claims are atomic because the process is one thread.
 *
 * @example
 * const ledger = memoryLedger({ ttlSeconds: 3600, claimMs: 30_000, clock: Date.now });
 */
export function memoryLedger(timing: LedgerTiming & { maxEntries?: number }): DeliveryLedger {
  const entries = new LRUCache<string, MemoryEntry>({ max: timing.maxEntries ?? DEFAULT_MAX_LEDGER_ENTRIES });
  return {
    async claim(scope, keys) {
      const now = timing.clock();
      const owner = randomUUID();
      const result: ClaimResult = { claimed: new Set(), taken: new Set(), busy: new Set() };
      const ids = new Map<string, string>();
      for (const key of keys) {
        const id = ledgerId(scope, key);
        ids.set(key, id);
        const entry = entries.get(id);
        if (entry && entry.expiresAt > now) {
          result[entry.status === 'taken' ? 'taken' : 'busy'].add(key);
          continue;
        }
        entries.set(id, { status: 'claimed', owner, expiresAt: now + timing.claimMs });
        result.claimed.add(key);
      }
      return {
        ...result,
        async commit(committed) {
          const expiresAt = timing.clock() + timing.ttlSeconds * 1000;
          for (const key of committed)
            entries.set(ids.get(key) ?? ledgerId(scope, key), { status: 'taken', owner, expiresAt });
        },
        async release(released) {
          for (const key of released) {
            const id = ids.get(key) ?? ledgerId(scope, key);
            if (entries.get(id)?.owner === owner && entries.get(id)?.status === 'claimed') entries.delete(id);
          }
        },
      };
    },
  };
}
