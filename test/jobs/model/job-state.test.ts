import { JOB_STATES, allowedTransitions, assertTransition, canTransition, isJobState, isSettled } from '../../../src/jobs/index.ts';
import type { JobState } from '../../../src/jobs/index.ts';

describe('job state machine', () => {
  it.each<[JobState, JobState]>([
    ['queued', 'running'],
    ['queued', 'cancelled'],
    ['running', 'paused'],
    ['running', 'cancelling'],
    ['running', 'completed'],
    ['running', 'failed'],
    ['running', 'stopped-threshold'],
    ['paused', 'running'],
    ['cancelling', 'cancelled'],
    ['completed', 'rolling-back'],
    ['stopped-threshold', 'rolling-back'],
    ['failed', 'running'],
    ['cancelled', 'running'],
    ['rolling-back', 'rolled-back'],
  ])('allows %s → %s', (from, to) => {
    expect(canTransition(from, to)).toBe(true);
    expect(() => assertTransition('j1', from, to)).not.toThrow();
  });

  it.each<[JobState, JobState]>([
    ['queued', 'completed'],
    ['running', 'queued'],
    ['running', 'cancelled'],
    ['completed', 'running'],
    ['cancelling', 'running'],
    ['rolled-back', 'running'],
    ['rolling-back', 'completed'],
  ])('forbids %s → %s with FHIRMIG_ERR_JOB_STATE (409)', (from, to) => {
    expect(canTransition(from, to)).toBe(false);
    expect(() => assertTransition('j1', from, to)).toThrow(expect.objectContaining({ code: 'FHIRMIG_ERR_JOB_STATE', status: 409 }));
  });

  it('names the allowed moves, and says when a state is final', () => {
    expect(() => assertTransition('j1', 'cancelling', 'paused')).toThrow("Job j1 cannot go from 'cancelling' to 'paused' (allowed: cancelled, failed).");
    expect(() => assertTransition('j1', 'rolled-back', 'rolling-back')).toThrow(/\(it is final\)/);
  });

  it('never allows a self-transition and only targets known states', () => {
    for (const state of JOB_STATES) {
      expect(canTransition(state, state)).toBe(false);
      for (const to of allowedTransitions(state)) expect(isJobState(to)).toBe(true);
    }
  });

  it('reaches every state from queued', () => {
    const reachable = new Set<JobState>(['queued']);
    for (let grew = true; grew; ) {
      grew = false;
      for (const from of [...reachable]) for (const to of allowedTransitions(from)) if (!reachable.has(to)) (reachable.add(to), (grew = true));
    }
    expect([...reachable].sort()).toEqual([...JOB_STATES].sort());
  });

  it('tells settled states from active ones', () => {
    expect(JOB_STATES.filter((s) => !isSettled(s))).toEqual(['queued', 'running', 'cancelling', 'rolling-back']);
    expect(isJobState('runing')).toBe(false);
  });
});
