# The visits app's scheduled jobs get their Celery tasks from the job registry (visits/jobs.py,
# portal.jobs.register): visit_frequency_warnings_task, survey_housekeeping_task, care_greetings_task.
