"""Many staff answering at once: 200 responses from 20 threads, each stored once, none lost, and the
same form sent twice at the same moment counted once. (The 5,000-response load from 50 clients
is measured by `python -m bench.survey_load`, not timed here.)"""

import threading
import uuid
from datetime import timedelta

from sqlmodel import func, select

from models import SurveyLink, SurveyResponse, SurveyResponseAnswer
from tests.factories import act, launch_cycle
from workflow.clock import today
from workflow.survey import responding, settings

THREADS, EACH = 20, 10


def test_200_responses_from_20_threads_are_all_stored_once(engine, session, partnership):
    p = partnership
    cycle, _ = launch_cycle(engine, p["coordinator"], [p["health"], p["youth"]], template=p["template"])
    act(
        engine,
        settings.set_up_survey,
        p["coordinator"],
        cycle.id,
        settings.SurveySettings(today(), today() + timedelta(days=7), 5, 50, 80),
    )
    tokens = session.exec(select(SurveyLink.token).where(SurveyLink.cycle_id == cycle.id)).all()
    page = act(engine, responding.survey_page, tokens[0])
    answers = {q.id: "agree" for q in page.questions}
    # Every tenth form is sent twice, by two threads at once: a double click reaching two workers.
    keys = [uuid.uuid4().hex for _ in range(THREADS * EACH)]
    work = [(tokens[n % 2], key) for n, key in enumerate(keys)] + [(tokens[n % 2], keys[n]) for n in range(0, len(keys), 10)]
    stored: list[bool] = []
    failures: list[BaseException] = []
    lock = threading.Lock()

    def answer(batch):
        for token, key in batch:
            try:
                result = act(engine, responding.record_response, token, answers, key, per_minute=10_000)
                with lock:
                    stored.append(result)
            except BaseException as error:  # collected, so one failure does not hide the others
                with lock:
                    failures.append(error)

    threads = [threading.Thread(target=answer, args=(work[n::THREADS],)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert stored.count(True) == THREADS * EACH and stored.count(False) == len(work) - THREADS * EACH
    session.expire_all()
    assert session.exec(select(func.count()).select_from(SurveyResponse)).one() == THREADS * EACH
    assert session.exec(select(func.count()).select_from(SurveyResponseAnswer)).one() == THREADS * EACH * len(answers)
