/** A tiny typed event emitter (the archive layer imports no `vscode`, so no vscode.EventEmitter). */
export type Listener<T> = (event: T) => void;

export class Emitter<T> {
  private readonly listeners = new Set<Listener<T>>();

  /** Returns the function that removes the listener. */
  on(listener: Listener<T>): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  emit(event: T): void {
    // A throwing listener must not break the sync that emits.
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch {
        /* listeners own their errors */
      }
    }
  }
}
