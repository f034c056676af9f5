import type { ClaimOptions, FailTaskOptions, ListTasksOptions, Task, TaskCounts, TaskInput } from '../../model/task.ts';
import { TASK_STATES } from '../../model/task.ts';
import { leaseLost, pageSize, toTask } from '../shared.ts';
import { queryRows } from './postgres-connection.ts';
import type { PostgresConnection } from './postgres-connection.ts';

/** Tasks on PostgreSQL: several workers claim from one table without waiting on each other. */
export async function addTasks(connection: PostgresConnection, jobId: string, tasks: readonly TaskInput[], now: number): Promise<number> {
  if (tasks.length === 0) return 0;
  return connection.transaction(async (client) => {
    const inserted = await queryRows(
      client,
      `INSERT INTO tasks (job_id, patient_key, phase, priority, updated_at)
       SELECT $1::text, t.patient_key, t.phase, t.priority, $5::bigint FROM unnest($2::text[], $3::text[], $4::int[]) AS t (patient_key, phase, priority)
       ON CONFLICT (job_id, patient_key, phase) DO NOTHING RETURNING id`,
      [jobId, tasks.map((t) => t.patientKey), tasks.map((t) => t.phase), tasks.map((t) => t.priority ?? 0), now],
    );
    const added = inserted.length;
    if (added > 0) await queryRows(client, 'UPDATE jobs SET tasks_total = tasks_total + $1, updated_at = $2 WHERE id = $3', [added, now, jobId]);
    return added;
  });
}

/**
 * The SKIP LOCKED queue pattern: rows another worker is claiming right now are skipped rather
 * than waited for, and a row claimed and committed meanwhile is re-checked against the WHERE
 * (READ COMMITTED re-evaluation), so no task is handed out twice. Pending tasks and claimed ones
 * whose lease expired are picked by two ordered scans of tasks_claimable that stop at the limit:
 * with `state = 'pending' OR …` in one WHERE, PostgreSQL read and sorted every pending task of the
 * job on each claim (2.8 ms a claim with 10,000 pending; quadratic over a job). A row the second
 * scan locks but the final limit leaves out is free again when this statement's transaction ends.
 */
export async function claimTasks(connection: PostgresConnection, jobId: string, workerId: string, n: number, leaseMs: number, now: number, options: ClaimOptions): Promise<Task[]> {
  if (n <= 0) return [];
  const phaseFilter = options.phase === undefined ? '' : ' AND phase = $6';
  const params: unknown[] = [jobId, now, Math.floor(n), workerId, now + leaseMs];
  if (options.phase !== undefined) params.push(options.phase);
  const rows = await connection.query(
    `WITH pending AS (
       SELECT id, priority FROM tasks WHERE job_id = $1 AND state = 'pending'${phaseFilter}
       ORDER BY priority, id LIMIT $3 FOR UPDATE SKIP LOCKED),
     expired AS (
       SELECT id, priority FROM tasks WHERE job_id = $1 AND state = 'claimed' AND lease_expires_at <= $2${phaseFilter}
       ORDER BY priority, id LIMIT $3 FOR UPDATE SKIP LOCKED),
     picked AS (
       SELECT id FROM (SELECT id, priority FROM pending UNION ALL SELECT id, priority FROM expired) candidates
       ORDER BY priority, id LIMIT $3)
     UPDATE tasks t SET state = 'claimed', claimed_by = $4, lease_expires_at = $5, attempts = t.attempts + 1, updated_at = $2
     FROM picked WHERE t.id = picked.id RETURNING t.*`,
    params,
  );
  return rows.map(toTask).sort((a, b) => a.priority - b.priority || a.id - b.id);
}

export async function renewLease(connection: PostgresConnection, taskIds: readonly number[], workerId: string, leaseMs: number, now: number): Promise<number[]> {
  if (taskIds.length === 0) return [];
  const rows = await connection.query(
    "UPDATE tasks SET lease_expires_at = $1, updated_at = $2 WHERE id = ANY($3::bigint[]) AND claimed_by = $4 AND state = 'claimed' RETURNING id",
    [now + leaseMs, now, taskIds, workerId],
  );
  return rows.map((row) => Number(row.id)).sort((a, b) => a - b);
}

/** One statement (one round trip, one commit): the task update and the job counter together. */
export async function completeTask(connection: PostgresConnection, taskId: number, workerId: string, now: number): Promise<void> {
  const rows = await connection.query(
    `WITH finished AS (
       UPDATE tasks SET state = 'done', lease_expires_at = NULL, error_code = NULL, error_message = NULL, updated_at = $1 WHERE id = $2 AND claimed_by = $3 AND state = 'claimed' RETURNING job_id)
     UPDATE jobs SET tasks_done = tasks_done + 1, updated_at = $1 FROM finished WHERE jobs.id = finished.job_id RETURNING jobs.id`,
    [now, taskId, workerId],
  );
  if (rows.length === 0) throw leaseLost(taskId, workerId);
}

export async function failTask(connection: PostgresConnection, taskId: number, workerId: string, error: { code: string; message: string }, options: FailTaskOptions, now: number): Promise<void> {
  const state = options.retry === true ? 'pending' : 'failed';
  const rows = await connection.query(
    `WITH finished AS (
       UPDATE tasks SET state = $1, claimed_by = NULL, lease_expires_at = NULL, error_code = $2, error_message = $3, updated_at = $4
       WHERE id = $5 AND claimed_by = $6 AND state = 'claimed' RETURNING job_id)
     UPDATE jobs SET tasks_failed = tasks_failed + (CASE WHEN $1 = 'failed' THEN 1 ELSE 0 END), updated_at = $4 FROM finished WHERE jobs.id = finished.job_id RETURNING jobs.id`,
    [state, error.code, error.message, now, taskId, workerId],
  );
  if (rows.length === 0) throw leaseLost(taskId, workerId);
}

export async function countTasks(connection: PostgresConnection, jobId: string): Promise<TaskCounts> {
  const counts: Record<string, number> = Object.fromEntries(TASK_STATES.map((state) => [state, 0]));
  for (const row of await connection.query('SELECT state, COUNT(*) AS n FROM tasks WHERE job_id = $1 GROUP BY state', [jobId])) counts[String(row.state)] = Number(row.n);
  return counts as TaskCounts;
}

export async function listTasks(connection: PostgresConnection, jobId: string, options: ListTasksOptions): Promise<Task[]> {
  const rows = await connection.query('SELECT * FROM tasks WHERE job_id = $1 AND ($2::text IS NULL OR state = $2) ORDER BY priority, id LIMIT $3 OFFSET $4', [
    jobId,
    options.state ?? null,
    pageSize(options.limit),
    options.offset ?? 0,
  ]);
  return rows.map(toTask);
}
