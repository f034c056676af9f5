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

const CLAIMABLE = "job_id = ? AND (state = 'pending' OR (state = 'claimed' AND lease_expires_at <= ?))";

export function claimTasks(connection: SqliteConnection, jobId: string, workerId: string, n: number, leaseMs: number, now: number, options: ClaimOptions): Task[] {
  if (n <= 0) return [];
  const phaseFilter = options.phase === undefined ? '' : ' AND phase = ?';
  const pickParams = options.phase === undefined ? [jobId, now] : [jobId, now, options.phase];
  const rows = connection.transaction(() =>
    connection.all(
      `UPDATE tasks SET state = 'claimed', claimed_by = ?, lease_expires_at = ?, attempts = attempts + 1, updated_at = ?
       WHERE id IN (SELECT id FROM tasks WHERE ${CLAIMABLE}${phaseFilter} ORDER BY priority, id LIMIT ?)
       RETURNING *`,
      workerId,
      now + leaseMs,
      now,
      ...pickParams,
      Math.floor(n),
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
