from celery import shared_task


@shared_task(name="visits.tasks.visit_frequency_warnings_task")
def visit_frequency_warnings_task() -> dict:
    from .jobs import visit_frequency_warnings

    return visit_frequency_warnings()


@shared_task(name="visits.tasks.survey_housekeeping_task")
def survey_housekeeping_task() -> dict:
    from .jobs import survey_housekeeping

    return survey_housekeeping()


@shared_task(name="visits.tasks.care_greetings_task")
def care_greetings_task() -> dict:
    from .jobs import care_greetings

    return care_greetings()
