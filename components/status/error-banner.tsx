'use client';
/**
 * Errors a person can act on (feed unreachable, protocol version mismatch, unknown instrument...),
 * each with what to do about it and a dismiss button.
 */
import { useDashboard, useDashboardActions } from '../../lib/store/react';

export function ErrorBanner() {
  const errors = useDashboard((s) => s.errors);
  const { dismissError } = useDashboardActions();
  if (errors.length === 0) return null;
  return (
    <div className="errors" data-testid="error-banner" role="alert">
      {errors.map((error) => (
        <div key={error.id} className={`error error-${error.kind}`} data-testid={`error-${error.kind}`}>
          <div className="error-text">
            <strong>{error.message}</strong>
            <span>{error.hint}</span>
          </div>
          <button type="button" className="icon-button" aria-label="Dismiss" onClick={() => dismissError(error.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
