/**
 * Client-assertion `jti` values seen until their `exp` (SMART Backend Services: the server SHALL
 * reject an assertion whose jti was already used). In memory: one instance; a shared store joins
 * when the service scales out.
 */
export class ReplayCache {
  private readonly seen = new Map<string, number>();

  /** Records `jti` (scoped by client) until `expiresAt`; false when it was already used. */
  remember(clientId: string, jti: string, expiresAt: number, now: number): boolean {
    this.prune(now);
    const key = `${clientId}\u0000${jti}`;
    if (this.seen.has(key)) return false;
    this.seen.set(key, expiresAt);
    return true;
  }

  private prune(now: number): void {
    for (const [key, expiresAt] of this.seen) if (expiresAt < now) this.seen.delete(key);
  }
}
