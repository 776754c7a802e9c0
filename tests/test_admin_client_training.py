"""The client page's Training section: program and meal plan links, logs, records, measurements, the weekly
streak and the charts, an empty state without data, and nothing of another business's client."""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from domain.models import MealPlan, Measurement, PersonalRecord, Program, WorkoutLog, WorkoutSession
from runtime.resources import Runtime
from tests.booking_setup import SAO_PAULO, make_studio
from tests.client_admin_setup import as_owner, as_trainer, book, hours, other_business_client, visible_text


def _noon(day: date) -> datetime:
    return datetime.combine(day, time(12), SAO_PAULO).astimezone(UTC)


async def _workout(runtime: Runtime, business_id: int, client_id: int, day: date,
                   *logs: dict[str, object]) -> list[int]:
    """A workout session on that local day with its logs; the logs' ids."""
    async with runtime.sessions.begin() as session:
        workout = WorkoutSession(business_id=business_id, client_id=client_id, local_date=day, started_at=_noon(day))
        session.add(workout)
        await session.flush()
        rows = [WorkoutLog(business_id=business_id, client_id=client_id, session_id=workout.id, logged_at=_noon(day), **log)
                for log in logs]
        session.add_all(rows)
        await session.flush()
        return [row.id for row in rows]


def _lift(key: str, sets: int, reps: int, kg: float) -> dict[str, object]:
    return {"exercise_key": key, "sets": sets, "reps": reps, "load": kg, "unit": "kg", "load_kg": kg}


async def _seed(runtime: Runtime, business_id: int, client_id: int) -> dict[str, object]:
    """Two weeks of two workouts, one this week, records, measurements, a program and a meal plan."""
    now = runtime.clock.now()
    today = now.astimezone(SAO_PAULO).date()
    monday = today - timedelta(days=today.weekday())
    last_mon, prev_mon = monday - timedelta(weeks=1), monday - timedelta(weeks=2)
    await _workout(runtime, business_id, client_id, prev_mon, _lift("bench_press", 3, 5, 80))
    await _workout(runtime, business_id, client_id, prev_mon + timedelta(days=2), _lift("back_squat", 4, 8, 100))
    [bench_id] = await _workout(runtime, business_id, client_id, last_mon, _lift("bench_press", 3, 5, 85))
    await _workout(runtime, business_id, client_id, last_mon + timedelta(days=2), _lift("bench_press", 1, 3, 90),
                   _lift("bench_press", 3, 8, 70))
    [run_id, _] = await _workout(runtime, business_id, client_id, today,
                                 {"exercise_key": "running", "distance_m": 5000.0, "duration_s": 1500},
                                 {"exercise_key": "bench_press", "sets": 1, "reps": 10, "load": 135.0, "unit": "lb",
                                  "load_kg": 61.2, "text": "supino 135lb"})
    async with runtime.sessions.begin() as session:
        program = Program(business_id=business_id, client_id=client_id, name="Força 12 semanas", weeks=4,
                          starts_on=prev_mon, active=True, created_at=now)
        old = Program(business_id=business_id, client_id=client_id, name="Programa antigo", weeks=4,
                      starts_on=prev_mon - timedelta(weeks=10), active=False, created_at=now)
        plan = MealPlan(business_id=business_id, client_id=client_id, name="Cutting leve", starts_on=last_mon,
                        active=True, created_at=now)
        session.add_all([program, old, plan])
        session.add_all([
            PersonalRecord(business_id=business_id, client_id=client_id, log_id=bench_id, exercise_key="bench_press",
                           kind="load", reps=5, value=85.0, previous=80.0, achieved_at=_noon(last_mon)),
            PersonalRecord(business_id=business_id, client_id=client_id, log_id=bench_id, exercise_key="bench_press",
                           kind="e1rm", value=99.2, achieved_at=_noon(last_mon)),
            PersonalRecord(business_id=business_id, client_id=client_id, log_id=run_id, exercise_key="running",
                           kind="distance", value=5000.0, achieved_at=_noon(today)),
            PersonalRecord(business_id=business_id, client_id=client_id, log_id=run_id, exercise_key="running",
                           kind="pace", value=300.0, previous=315.0, achieved_at=_noon(today)),
            Measurement(business_id=business_id, client_id=client_id, kind="weight", value=80.5, unit="kg",
                        taken_at=_noon(prev_mon)),
            Measurement(business_id=business_id, client_id=client_id, kind="weight", value=78.2, unit="kg",
                        taken_at=_noon(last_mon)),
            Measurement(business_id=business_id, client_id=client_id, kind="waist", value=82.0, unit="cm",
                        taken_at=_noon(last_mon)),
            Measurement(business_id=business_id, client_id=client_id, kind="photo", media_id="MEDIA123",
                        taken_at=_noon(last_mon)),
        ])
        await session.flush()
        return {"program": program.id, "plan": plan.id, "last_mon": last_mon, "prev_mon": prev_mon}


async def test_client_page_shows_program_logs_records_measurements_streak_and_charts(web, runtime, business) -> None:
    studio = await make_studio(runtime, business, clients=1)
    me = studio.clients[0]
    seeded = await _seed(runtime, business.id, me)
    last_mon, prev_mon = seeded["last_mon"], seeded["prev_mon"]
    await as_owner(web, runtime, business.id)
    html = await (await web.get(f"/admin/clients/{me}")).text()
    page = visible_text(html)
    training = page.split("Training Program")[1]
    assert f'href="/admin/programs/{seeded["program"]}"' in html and f'href="/admin/meal-plans/{seeded["plan"]}"' in html
    assert f"Força 12 semanas since {prev_mon:%d/%m/%Y}" in training and "Programa antigo" not in page
    assert f"Cutting leve since {last_mon:%d/%m/%Y}" in training
    assert "Weekly streak 2 weeks (1 of 2 training days this week)" in training
    assert "Corrida — 5 km 25:00" in training
    assert "Supino reto 1×10 @ 135 lb — — supino 135lb" in training
    assert f"{last_mon:%d/%m/%Y} Supino reto 3×5 @ 85 kg" in training
    assert f"{prev_mon + timedelta(days=2):%d/%m/%Y} Agachamento livre 4×8 @ 100 kg" in training
    assert training.index("Corrida") < training.index("3×5 @ 85 kg") < training.index("3×5 @ 80 kg")
    assert "Supino reto load 85 kg × 5 (was 80 kg)" in training
    assert "Supino reto e1rm 99.2 kg" in training
    assert "Corrida distance 5 km" in training and "Corrida pace 5:00 /km (was 5:15 /km)" in training
    assert "weight 78.2 kg" in training and "waist 82 cm" in training and "photo photo (media id MEDIA123)" in training
    # Body weight: a line with a dot per day measured.
    assert 'aria-label="Body weight over time, kg"' in html and "<polyline" in html
    assert f"<title>{last_mon:%d/%m/%Y} · Body weight: 78.2 kg</title>" in html
    # Estimated 1RM, Epley, the best of each day: 90×(1+3/30)=99 beats 70×(1+8/30)=88.7 on the same day.
    assert f"<title>{prev_mon:%d/%m/%Y} · Supino reto: 93.3 kg</title>" in html
    assert f"<title>{last_mon + timedelta(days=2):%d/%m/%Y} · Supino reto: 99 kg</title>" in html
    assert f"<title>{prev_mon + timedelta(days=2):%d/%m/%Y} · Agachamento livre: 126.7 kg</title>" in html
    # Weekly volume by main muscle: sets × reps × kg summed per week.
    assert f"<title>{last_mon:%d/%m} · chest: 3225</title>" in html  # 3×5×85 + 1×3×90 + 3×8×70
    assert f"<title>{prev_mon:%d/%m} · quads: 3200</title>" in html
    assert f"<title>{prev_mon:%d/%m} · chest: 1200</title>" in html
    for empty in ("No active program.", "No weight measured yet.", "No workouts logged yet.", "No measurements yet."):
        assert empty not in page


async def test_client_without_training_shows_empty_states(web, runtime, business) -> None:
    studio = await make_studio(runtime, business, clients=1)
    await as_owner(web, runtime, business.id)
    html = await (await web.get(f"/admin/clients/{studio.clients[0]}")).text()
    page = visible_text(html)
    for empty in ("No active program.", "No active meal plan.", "Weekly streak 0 weeks (0 of 2 training days this week)",
                  "No weight measured yet.", "No bench press, squat, deadlift or overhead press logged",
                  "No loaded sets in the last 8 weeks.", "No workouts logged yet.", "No personal records yet.",
                  "No measurements yet."):
        assert empty in page, empty
    assert "<polyline" not in html and "<rect x=" not in html


async def test_trainer_sees_the_training_of_their_client_only(web, runtime, business) -> None:
    studio = await make_studio(runtime, business, clients=2)
    await book(runtime, studio, studio.clients[0], studio.ana, runtime.clock.now() + hours(30))
    for client_id in studio.clients:
        await _seed(runtime, business.id, client_id)
    await as_trainer(web, runtime, business.id, studio.ana)
    response = await web.get(f"/admin/clients/{studio.clients[0]}")
    assert response.status == 200 and "Força 12 semanas" in await response.text()
    assert (await web.get(f"/admin/clients/{studio.clients[1]}")).status == 404


async def test_another_business_client_training_is_not_found(web, runtime, business) -> None:
    outsider = await other_business_client(runtime)
    async with runtime.sessions() as session:
        from domain.models import Client

        other_business_id = (await session.get(Client, outsider)).business_id
    await _seed(runtime, other_business_id, outsider)
    await as_owner(web, runtime, business.id)
    response = await web.get(f"/admin/clients/{outsider}")
    assert response.status == 404 and "Força 12 semanas" not in await response.text()
