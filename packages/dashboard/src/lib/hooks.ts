import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

export type Load<T> =
  | { state: 'loading'; data: T | undefined; error: undefined }
  | { state: 'ok'; data: T; error: undefined }
  | { state: 'error'; data: T | undefined; error: Error };

/**
 * Runs `load` whenever `deps` change and keeps the previous data while the next load runs (so that paging does not
 * flash an empty table). A superseded load is aborted and its answer ignored.
 */
export function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[]): Load<T> & { reload: () => void } {
  const [result, setResult] = useState<Load<T>>({ state: 'loading', data: undefined, error: undefined });
  const [attempt, setAttempt] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  // biome-ignore lint/correctness/useExhaustiveDependencies: the caller's deps decide when to load again; the loader itself is read through a ref
  useEffect(() => {
    const controller = new AbortController();
    setResult((prev) => ({ state: 'loading', data: prev.data, error: undefined }));
    loadRef.current(controller.signal).then(
      (data) => {
        if (!controller.signal.aborted) setResult({ state: 'ok', data, error: undefined });
      },
      (error: unknown) => {
        if (controller.signal.aborted) return;
        setResult((prev) => ({ state: 'error', data: prev.data, error: error instanceof Error ? error : new Error(String(error)) }));
      },
    );
    return () => controller.abort();
  }, [...deps, attempt]);

  const reload = useCallback(() => setAttempt((n) => n + 1), []);
  return { ...result, reload };
}

export function useDocumentTitle(title: string): void {
  useEffect(() => {
    document.title = title ? `${title} · Pecta` : 'Pecta';
  }, [title]);
}
