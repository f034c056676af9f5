import type { ClaimOptions, FailTaskOptions, ListTasksOptions, Task, TaskCounts, TaskInput } from '../../model/task.ts';
import { TASK_STATES } from '../../model/task.ts';
import { leaseLost, pageSize, toTask } from '../shared.ts';
import type { SqliteConnection } from './sqlite-connection.ts';

/** Tasks on SQLite. One process writes at a time (the file lock), so a claim is one UPDATE. */
export function addTasks(connection: SqliteConnection, jobId: string, tasks: readonly TaskInput[], now: number): number {
  return connection.transaction(() => {
    let added = 0;
    for (const task of tasks) {
      added += connection.run(
        'INSERT INTO tasks (job_id, patient_key, phase, priority, updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (job_id, patient_key, phase) DO NOTHING',
        jobId,
        task.patientKey,
        task.phase,
        task.priority ?? 0,
        now,
      );
    }
    if (added > 0) connection.run('UPDATE jobs SET tasks_total = tasks_total + ?, updated_at = ? WHERE id = ?', added, now, jobId);
    return added;
  });
}

/**
 * The ids a claim takes: pending tasks and claimed ones whose lease expired, lowest priority then
 * id first. Two branches, each an ordered walk of tasks_claimable (job_id, state, priority, id)
 * that stops at the limit: with `state = 'pending' OR …` in one WHERE, SQLite read every task of
 * the job and sorted them on each claim — a job's claims were quadratic in its tasks (2.7 s of a
 * 1,001-patient migration, 3,004 tasks; 30 times that at 10,000 patients).
 */
export function claimableIdsSql(byPhase: boolean): string {
  const phase = byPhase ? ' AND phase = ?' : '';
  return `SELECT id FROM (
      SELECT id, priority FROM (SELECT id, priority FROM tasks WHERE job_id = ? AND state = 'pending'${phase} ORDER BY priority, id LIMIT ?)
      UNION ALL
      SELECT id, priority FROM (SELECT id, priority FROM tasks WHERE job_id = ? AND state = 'claimed' AND lease_expires_at <= ?${phase} ORDER BY priority, id LIMIT ?)
    ) ORDER BY priority, id LIMIT ?`;
}

export function claimTasks(connection: SqliteConnection, jobId: string, workerId: string, n: number, leaseMs: number, now: number, options: ClaimOptions): Task[] {
  if (n <= 0) return [];
  const limit = Math.floor(n);
  const phase = options.phase === undefined ? [] : [options.phase];
  const rows = connection.transaction(() =>
    connection.all(
      `UPDATE tasks SET state = 'claimed', claimed_by = ?, lease_expires_at = ?, attempts = attempts + 1, updated_at = ?
       WHERE id IN (${claimableIdsSql(options.phase !== undefined)})
       RETURNING *`,
      workerId,
      now + leaseMs,
      now,
      jobId,
      ...phase,
      limit,
      jobId,
      now,
      ...phase,
      limit,
      limit,
    ),
  );
  return rows.map(toTask).sort((a, b) => a.priority - b.priority || a.id - b.id);
}

export function renewLease(connection: SqliteConnection, taskIds: readonly number[], workerId: string, leaseMs: number, now: number): number[] {
  return connection.transaction(() =>
    taskIds.filter(
      (id) => connection.run("UPDATE tasks SET lease_expires_at = ?, updated_at = ? WHERE id = ? AND claimed_by = ? AND state = 'claimed'", now + leaseMs, now, id, workerId) === 1,
    ),
  );
}

export function completeTask(connection: SqliteConnection, taskId: number, workerId: string, now: number): void {
  connection.transaction(() => {
    const row = connection.get("UPDATE tasks SET state = 'done', lease_expires_at = NULL, error_code = NULL, error_message = NULL, updated_at = ? WHERE id = ? AND claimed_by = ? AND state = 'claimed' RETURNING job_id", now, taskId, workerId);
    if (!row) throw leaseLost(taskId, workerId);
    connection.run('UPDATE jobs SET tasks_done = tasks_done + 1, updated_at = ? WHERE id = ?', now, String(row.job_id));
  });
}

export function failTask(connection: SqliteConnection, taskId: number, workerId: string, error: { code: string; message: string }, options: FailTaskOptions, now: number): void {
  const state = options.retry === true ? 'pending' : 'failed';
  connection.transaction(() => {
    const row = connection.get(
      "UPDATE tasks SET state = ?, claimed_by = NULL, lease_expires_at = NULL, error_code = ?, error_message = ?, updated_at = ? WHERE id = ? AND claimed_by = ? AND state = 'claimed' RETURNING job_id",
      state,
      error.code,
      error.message,
      now,
      taskId,
      workerId,
    );
    if (!row) throw leaseLost(taskId, workerId);
    if (state === 'failed') connection.run('UPDATE jobs SET tasks_failed = tasks_failed + 1, updated_at = ? WHERE id = ?', now, String(row.job_id));
  });
}

export function countTasks(connection: SqliteConnection, jobId: string): TaskCounts {
  const counts: Record<string, number> = Object.fromEntries(TASK_STATES.map((state) => [state, 0]));
  for (const row of connection.all('SELECT state, COUNT(*) AS n FROM tasks WHERE job_id = ? GROUP BY state', jobId)) counts[String(row.state)] = Number(row.n);
  return counts as TaskCounts;
}

export function listTasks(connection: SqliteConnection, jobId: string, options: ListTasksOptions): Task[] {
  const stateFilter = options.state === undefined ? '' : ' AND state = ?';
  const params = options.state === undefined ? [jobId] : [jobId, options.state];
  return connection.all(`SELECT * FROM tasks WHERE job_id = ?${stateFilter} ORDER BY priority, id LIMIT ? OFFSET ?`, ...params, pageSize(options.limit), options.offset ?? 0).map(toTask);
}
