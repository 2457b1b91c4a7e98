//! Messages of background jobs: the jobs page and its statuses (key, French, English).

/// Every job message: (key, French, English).
pub const MESSAGES: &[(&str, &str, &str)] = &[
    ("permission.manage_jobs", "Suivre les tâches de fond", "Watch background jobs"),
    ("audit.entity.job", "Tâche de fond", "Background job"),
    ("jobs.title", "Tâches de fond", "Background jobs"),
    (
        "jobs.hint",
        "Ce que Bilan fait seul : purges, relances, recalculs. Une tâche en échec a été essayée plusieurs fois ; corrigez la cause puis relancez-la.",
        "What Bilan does on its own: purges, reminders, recomputations. A failed job was tried several times; fix the cause, then run it again.",
    ),
    ("jobs.empty", "Aucune tâche.", "No job."),
    (
        "error.job_status.invalid",
        "État inconnu (en attente, en cours, terminée, en échec)",
        "Unknown status (pending, running, done, failed)",
    ),
    ("jobs.filter", "État", "Status"),
    ("jobs.all", "Toutes", "All"),
    ("jobs.kind", "Tâche", "Job"),
    ("jobs.scope", "Pour", "For"),
    ("jobs.scope.workspace", "Cet espace", "This workspace"),
    ("jobs.scope.installation", "Toute l'installation", "The whole installation"),
    ("jobs.run_at", "Prévue", "Due"),
    ("jobs.attempts", "Essais", "Attempts"),
    // Shown before the value where a narrow screen hides the column headers.
    ("jobs.label.run_at", "Prévue\u{a0}:", "Due:"),
    ("jobs.label.attempts", "Essais\u{a0}:", "Attempts:"),
    ("jobs.error", "Erreur", "Error"),
    ("jobs.finished", "Terminée", "Finished"),
    ("jobs.retry", "Relancer", "Run again"),
    ("jobs.status.pending", "en attente", "pending"),
    ("jobs.status.running", "en cours", "running"),
    ("jobs.status.done", "terminée", "done"),
    ("jobs.status.failed", "en échec", "failed"),
    ("jobs.kind.purge_sessions", "Purge des sessions expirées", "Purge of expired sessions"),
    (
        "jobs.kind.apply_audit_retention",
        "Durée de conservation du journal",
        "Audit retention period",
    ),
    (
        "jobs.kind.purge_finished_jobs",
        "Purge des tâches terminées",
        "Purge of finished jobs",
    ),
];
