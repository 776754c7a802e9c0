"""The panel's training pages: building programs, assigning copies to clients, meal plans and the exercise library."""
from __future__ import annotations

import html
from datetime import date

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import func, select

from domain.errors import NotFound
from domain.models import Business, Client, CustomExercise, Meal, MealPlan, Program, ProgramDay, ProgramItem
from domain.training import exercise_edits, meal_plan_edits, program_edits
from domain.training.program_edits import Prescription
from runtime.keys import RUNTIME
from runtime.resources import Runtime
from tests.settings_support import NOW, as_owner, as_trainer, fresh, other_business, post

BENCH = {"exercise_key": "bench_press", "sets": "4", "amount": "8", "amount_unit": "reps", "load": "60", "load_unit": "kg",
         "rest_s": "1:30", "superset": "a", "progression_kg": "2,5", "notes": "pause at the chest"}
PLANK = {"exercise_key": "plank", "sets": "3", "amount": "45", "amount_unit": "seconds", "load": "", "load_unit": "kg"}
HUGE = "9" * 25


async def a_client(runtime: Runtime, business: Business, name: str = "Maria Souza", phone: str = "5511987654321") -> int:
    async with runtime.sessions.begin() as session:
        client = Client(business_id=business.id, contact_key=f"+{phone}", wa_id=phone, phone_e164=f"+{phone}",
                        profile_name=name, created_at=NOW)
        session.add(client)
        await session.flush()
        return client.id


async def new_program(web: TestClient, token: str, name: str = "Hipertrofia A/B", weeks: str = "4") -> int:
    response = await post(web, "/admin/programs", token, name=name, weeks=weeks, notes="Two days a week")
    assert response.status == 302, await response.text()
    return int(response.headers["Location"].rsplit("/", 1)[1])


async def add_day(web: TestClient, token: str, program_id: int, week: str = "1", weekday: str = "0", title: str = "Upper") -> int:
    response = await post(web, f"/admin/programs/{program_id}/days", token, week=week, weekday=weekday, title=title)
    assert response.status == 302, await response.text()
    return await _newest(web, ProgramDay)


async def add_item(web: TestClient, token: str, program_id: int, day_id: int, **fields: str) -> int:
    response = await post(web, f"/admin/programs/{program_id}/items", token, day_id=str(day_id), **fields)
    assert response.status == 302, await response.text()
    return await _newest(web, ProgramItem)


async def _newest(web: TestClient, model: type[ProgramDay] | type[ProgramItem]) -> int:
    async with web.app[RUNTIME].sessions() as session:
        return int(await session.scalar(select(func.max(model.id))) or 0)


async def counts(runtime: Runtime) -> tuple[int, ...]:
    async with runtime.sessions() as session:
        return tuple([int(await session.scalar(select(func.count()).select_from(model)) or 0)
                      for model in (Program, ProgramDay, ProgramItem, MealPlan, Meal, CustomExercise)])


async def items_of(runtime: Runtime, program_id: int) -> list[tuple[int, int, str, int | None, float | None]]:
    async with runtime.sessions() as session:
        rows = await session.execute(
            select(ProgramDay.week, ProgramDay.weekday, ProgramItem.exercise_key, ProgramItem.reps, ProgramItem.load_kg)
            .join(ProgramItem, ProgramItem.day_id == ProgramDay.id).where(ProgramDay.program_id == program_id)
            .order_by(ProgramDay.week, ProgramDay.weekday, ProgramItem.position))
        return [tuple(r) for r in rows.all()]  # type: ignore[misc]


async def test_owner_builds_a_program_and_the_builder_shows_each_prescription(web: TestClient, runtime: Runtime,
                                                                                business: Business) -> None:
    token = await as_owner(web, runtime, business)
    program_id = await new_program(web, token)
    day_id = await add_day(web, token, program_id)
    bench = await add_item(web, token, program_id, day_id, **BENCH)
    await add_item(web, token, program_id, day_id, **PLANK)
    await add_item(web, token, program_id, day_id, exercise_key="running", amount="5000", amount_unit="metres",
                   load="7", load_unit="rpe")
    item = await fresh(runtime, ProgramItem, bench)
    assert (item.sets, item.reps, item.load_kg, item.rest_s, item.superset, item.progression_kg, item.notes) == \
        (4, 8, 60.0, 90, "A", 2.5, "pause at the chest")
    page = html.unescape(await (await web.get(f"/admin/programs/{program_id}")).text())
    for shown in ("Week 1 · Monday · Upper", "Supino reto", "4 × 8", "60 kg", "1:30 min rest", "+2.5 kg each time",
                  "Prancha", "3 × 45 s", "Corrida", "5 km", "RPE 7"):
        assert shown in page, shown
    listing = await (await web.get("/admin/programs")).text()
    assert "Hipertrofia A/B" in listing


async def test_a_trainer_builds_templates_too(web: TestClient, runtime: Runtime, business: Business) -> None:
    token, _ = await as_trainer(web, runtime, business)
    program_id = await new_program(web, token, "Força")
    await add_item(web, token, program_id, await add_day(web, token, program_id), **BENCH)
    assert (await web.get(f"/admin/programs/{program_id}")).status == 200
    assert (await web.get("/admin/meal-plans")).status == 200
    assert (await web.get("/admin/exercises")).status == 200


async def test_exercises_move_up_and_down_and_removing_one_closes_the_gap(web: TestClient, runtime: Runtime,
                                                                         business: Business) -> None:
    token = await as_owner(web, runtime, business)
    program_id = await new_program(web, token)
    day_id = await add_day(web, token, program_id)
    first = await add_item(web, token, program_id, day_id, **BENCH)
    second = await add_item(web, token, program_id, day_id, **PLANK)
    third = await add_item(web, token, program_id, day_id, exercise_key="back_squat", sets="5", amount="5")
    assert (await post(web, f"/admin/programs/{program_id}/items/{third}/move", token, direction="up")).status == 302
    assert [r[2] for r in await items_of(runtime, program_id)] == ["bench_press", "back_squat", "plank"]
    await post(web, f"/admin/programs/{program_id}/items/{first}/move", token, direction="up")
    assert [r[2] for r in await items_of(runtime, program_id)] == ["bench_press", "back_squat", "plank"]
    assert (await post(web, f"/admin/programs/{program_id}/items/{first}/remove", token)).status == 302
    assert [(await fresh(runtime, ProgramItem, i)).position for i in (third, second)] == [0, 1]


async def test_editing_an_exercise_changes_its_prescription(web: TestClient, runtime: Runtime, business: Business) -> None:
    token = await as_owner(web, runtime, business)
    program_id = await new_program(web, token)
    item_id = await add_item(web, token, program_id, await add_day(web, token, program_id), **BENCH)
    page = await (await web.get(f"/admin/programs/{program_id}/items/{item_id}")).text()
    assert 'value="pause at the chest"' in page
    changed = {**BENCH, "load": "75", "load_unit": "pct_1rm", "progression_kg": ""}
    assert (await post(web, f"/admin/programs/{program_id}/items/{item_id}", token, **changed)).status == 302
    item = await fresh(runtime, ProgramItem, item_id)
    assert (item.load_kg, item.load_pct_1rm, item.progression_kg) == (None, 75, None)


async def test_assigning_makes_the_clients_own_copy_which_template_edits_never_touch(web: TestClient, runtime: Runtime,
                                                                                     business: Business) -> None:
    client_id = await a_client(runtime, business)
    token = await as_owner(web, runtime, business)
    template = await new_program(web, token)
    day_id = await add_day(web, token, template)
    bench = await add_item(web, token, template, day_id, **BENCH)
    first = await post(web, f"/admin/programs/{template}/assign", token, client_id=str(client_id), starts_on="2026-12-01")
    assert first.status == 302
    earlier_copy = int(first.headers["Location"].rsplit("/", 1)[1])
    response = await post(web, f"/admin/programs/{template}/assign", token, client_id=str(client_id), starts_on="2026-12-07")
    copy_id = int(response.headers["Location"].rsplit("/", 1)[1])
    copy = await fresh(runtime, Program, copy_id)
    assert (copy.client_id, copy.template_id, copy.starts_on, copy.active) == (client_id, template, date(2026, 12, 7), True)
    assert (await fresh(runtime, Program, earlier_copy)).active is False
    assert await items_of(runtime, copy_id) == await items_of(runtime, template) == [(1, 0, "bench_press", 8, 60.0)]

    await post(web, f"/admin/programs/{template}/items/{bench}", token, **{**BENCH, "load": "80"})
    await add_item(web, token, template, day_id, **PLANK)
    await post(web, f"/admin/programs/{template}", token, name="Renamed", weeks="6")
    assert await items_of(runtime, copy_id) == [(1, 0, "bench_press", 8, 60.0)]
    assert (await fresh(runtime, Program, copy_id)).name == "Hipertrofia A/B"

    copy_day = (await fresh_days(runtime, copy_id))[0]
    await add_item(web, token, copy_id, copy_day, exercise_key="deadlift", sets="3", amount="5")
    assert [r[2] for r in await items_of(runtime, template)] == ["bench_press", "plank"]
    page = html.unescape(await (await web.get(f"/admin/programs/{copy_id}")).text())
    assert "Maria Souza</a>'s own program, from 07/12/2026" in page and "Levantamento terra" in page
    assert "copied from <a" in page and "Renamed</a>" in page
    listing = await (await web.get("/admin/programs")).text()
    assert f'<a href="/admin/programs/{copy_id}">Hipertrofia A/B</a>' in listing


async def test_a_program_is_assigned_to_a_client_found_by_search_among_many(web: TestClient, runtime: Runtime,
                                                                           business: Business) -> None:
    maria = await a_client(runtime, business)
    async with runtime.sessions.begin() as session:  # more clients, all more recently active than Maria
        session.add_all([Client(business_id=business.id, contact_key=f"+55119{n:08d}", wa_id=f"55119{n:08d}",
                                phone_e164=f"+55119{n:08d}",
                                profile_name=f"Cliente {n}", last_inbound_at=runtime.clock.now(),
                                created_at=runtime.clock.now()) for n in range(120)])
    token = await as_owner(web, runtime, business)
    template = await new_program(web, token)
    listed = await (await web.get(f"/admin/programs/{template}")).text()
    assert f'<option value="{maria}" >Maria Souza' not in listed
    found = await (await web.get(f"/admin/programs/{template}?client_q=maria")).text()
    assert f'<option value="{maria}" >Maria Souza' in found and "Cliente 7" not in found


async def fresh_days(runtime: Runtime, program_id: int) -> list[int]:
    async with runtime.sessions() as session:
        return list(await session.scalars(select(ProgramDay.id).where(ProgramDay.program_id == program_id)
                                          .order_by(ProgramDay.week, ProgramDay.weekday)))


async def test_copying_a_template_makes_a_new_template_with_the_same_days(web: TestClient, runtime: Runtime,
                                                                         business: Business) -> None:
    token = await as_owner(web, runtime, business)
    template = await new_program(web, token)
    await add_item(web, token, template, await add_day(web, token, template, week="2", weekday="3"), **BENCH)
    response = await post(web, f"/admin/programs/{template}/copy", token)
    copy_id = int(response.headers["Location"].rsplit("/", 1)[1])
    copy = await fresh(runtime, Program, copy_id)
    assert (copy.name, copy.client_id, copy.template_id, copy.weeks) == ("Hipertrofia A/B (copy)", None, None, 4)
    assert await items_of(runtime, copy_id) == [(2, 3, "bench_press", 8, 60.0)]


async def test_shortening_a_program_below_a_week_with_days_is_a_form_error(web: TestClient, runtime: Runtime,
                                                                          business: Business) -> None:
    token = await as_owner(web, runtime, business)
    program_id = await new_program(web, token)
    await add_day(web, token, program_id, week="3")
    response = await post(web, f"/admin/programs/{program_id}", token, name="Shorter", weeks="2")
    assert response.status == 400
    assert "Week 3 has training days" in html.unescape(await response.text())
    assert (await fresh(runtime, Program, program_id)).weeks == 4


BAD_PROGRAM_FORMS = [
    ("/admin/programs", {"name": "", "weeks": "4"}),
    ("/admin/programs", {"name": "X", "weeks": "0"}),
    ("/admin/programs", {"name": "X", "weeks": "53"}),
    ("/admin/programs", {"name": "X", "weeks": HUGE}),
    ("/admin/programs", {"name": "X" * 121, "weeks": "4"}),
    ("{program}/days", {"week": "5", "weekday": "0"}),
    ("{program}/days", {"week": "1", "weekday": "7"}),
    ("{program}/days", {"week": "1", "weekday": "0"}),
    ("{program}/days", {"week": "one", "weekday": "0"}),
    ("{program}/items", {**BENCH, "day_id": "{day}", "exercise_key": "flying_kick"}),
    ("{program}/items", {**BENCH, "day_id": "{day}", "exercise_key": "custom:" + HUGE}),
    ("{program}/items", {**BENCH, "day_id": "{day}", "sets": "0"}),
    ("{program}/items", {**BENCH, "day_id": "{day}", "amount": "ten"}),
    ("{program}/items", {**BENCH, "day_id": "{day}", "amount": "9999"}),
    ("{program}/items", {**BENCH, "day_id": "{day}", "amount_unit": "seconds", "amount": "1:99"}),
    ("{program}/items", {**BENCH, "day_id": "{day}", "load": "abc"}),
    ("{program}/items", {**BENCH, "day_id": "{day}", "load": "nan"}),
    ("{program}/items", {**BENCH, "day_id": "{day}", "load": "150", "load_unit": "pct_1rm"}),
    ("{program}/items", {**BENCH, "day_id": "{day}", "load": "11", "load_unit": "rpe", "progression_kg": ""}),
    ("{program}/items", {**BENCH, "day_id": "{day}", "load": "", "progression_kg": "2.5"}),
    ("{program}/items", {**BENCH, "day_id": "{day}", "rest_s": "forever"}),
    ("{program}/items", {**BENCH, "day_id": "{day}", "superset": "ABCDEFGHIJ"}),
    ("{program}/items", {**BENCH, "day_id": HUGE}),
    ("{program}/assign", {"client_id": HUGE, "starts_on": "2026-12-01"}),
    ("{program}/assign", {"client_id": "{client}", "starts_on": "9999-12-31"}),
    ("{program}/assign", {"client_id": "{client}", "starts_on": "tomorrow"}),
    ("/admin/meal-plans", {"name": ""}),
    ("{plan}/meals", {"name": "Lunch", "items": "rice", "at_time": "25:00"}),
    ("{plan}/meals", {"name": "Lunch", "items": " \n "}),
    ("{plan}/meals", {"name": "Lunch", "items": "rice", "weekday": "9"}),
    ("/admin/exercises", {"name_pt": "Supino Z", "muscles": "chest", "video_url": "javascript:alert(1)"}),
    ("/admin/exercises", {"name_pt": "Supino Z", "muscles": "chest", "video_url": "ftp://videos.test/a.mp4"}),
    ("/admin/exercises", {"name_pt": "Supino Z"}),
    ("/admin/exercises", {"name_pt": "Supino Z", "muscles": "wings"}),
    ("/admin/exercises", {"name_pt": "", "name_en": "", "muscles": "chest"}),
    ("/admin/exercises", {"name_pt": "Supino Z", "muscles": "chest", "kind": "dance"}),
]


@pytest.mark.parametrize(("path", "fields"), BAD_PROGRAM_FORMS, ids=[f"{p} {sorted(f.items())}"[:90] for p, f in BAD_PROGRAM_FORMS])
async def test_bad_input_is_a_form_error_and_stores_nothing(web: TestClient, runtime: Runtime, business: Business,
                                                            path: str, fields: dict[str, str]) -> None:
    client_id = await a_client(runtime, business)
    token = await as_owner(web, runtime, business)
    program_id = await new_program(web, token)
    day_id = await add_day(web, token, program_id)
    plan = await post(web, "/admin/meal-plans", token, name="Cutting")
    plan_id = int(plan.headers["Location"].rsplit("/", 1)[1])
    ids = {"program": f"/admin/programs/{program_id}", "plan": f"/admin/meal-plans/{plan_id}", "day": str(day_id),
           "client": str(client_id)}
    before = await counts(runtime)
    response = await post(web, path.format(**ids), token, **{k: v.format(**ids) for k, v in fields.items()})
    assert response.status == 400, await response.text()
    assert "Nothing was saved" in await response.text()
    assert await counts(runtime) == before


async def test_another_business_ids_are_not_found_and_change_nothing(web: TestClient, runtime: Runtime,
                                                                     business: Business) -> None:
    other = await other_business(runtime)
    their_client = await a_client(runtime, other, "Theirs", "351912345678")
    async with runtime.sessions.begin() as session:
        theirs = await program_edits.create_program(session, other.id, NOW, name="Their program", weeks=2)
        their_day = await program_edits.add_day(session, other.id, theirs.id, week=1, weekday=1)
        their_item = await program_edits.add_item(session, other.id, theirs.id, their_day.id, Prescription("bench_press", 3, 10))
        their_plan = await meal_plan_edits.create_plan(session, other.id, NOW, name="Their plan")
        their_meal = await meal_plan_edits.add_meal(session, other.id, their_plan.id, weekday=None, name="Lunch",
                                                    at_time=None, items="rice")
        their_exercise = await exercise_edits.add_custom(session, other.id, NOW, exercise_edits.ExerciseFields(
            "Remada deles", "Their row", muscles=("back",)))
    token = await as_owner(web, runtime, business)
    mine = await new_program(web, token)
    my_day = await add_day(web, token, mine)
    plan = await post(web, "/admin/meal-plans", token, name="Mine")
    my_plan = int(plan.headers["Location"].rsplit("/", 1)[1])
    before = await counts(runtime)
    for path in (f"/admin/programs/{theirs.id}", f"/admin/programs/{theirs.id}/items/{their_item.id}",
                 f"/admin/programs/{mine}/items/{their_item.id}", f"/admin/meal-plans/{their_plan.id}",
                 f"/admin/meal-plans/{my_plan}/meals/{their_meal.id}", f"/admin/exercises/{their_exercise.id}"):
        assert (await web.get(path)).status == 404, path
    for path, fields in (
            (f"/admin/programs/{theirs.id}", {"name": "Mine now", "weeks": "2"}),
            (f"/admin/programs/{theirs.id}/copy", {}),
            (f"/admin/programs/{theirs.id}/assign", {"client_id": str(their_client), "starts_on": "2026-12-01"}),
            (f"/admin/programs/{mine}/assign", {"client_id": str(their_client), "starts_on": "2026-12-01"}),
            (f"/admin/programs/{theirs.id}/days", {"week": "1", "weekday": "3"}),
            (f"/admin/programs/{mine}/days/{their_day.id}/remove", {}),
            (f"/admin/programs/{theirs.id}/days/{their_day.id}/remove", {}),
            (f"/admin/programs/{mine}/items", {**BENCH, "day_id": str(their_day.id)}),
            (f"/admin/programs/{mine}/items/{their_item.id}", BENCH),
            (f"/admin/programs/{mine}/items/{their_item.id}/move", {"direction": "down"}),
            (f"/admin/programs/{mine}/items/{their_item.id}/remove", {}),
            (f"/admin/meal-plans/{their_plan.id}/meals", {"name": "Dinner", "items": "soup"}),
            (f"/admin/meal-plans/{my_plan}/meals/{their_meal.id}", {"name": "Dinner", "items": "soup"}),
            (f"/admin/meal-plans/{my_plan}/meals/{their_meal.id}/remove", {}),
            (f"/admin/meal-plans/{my_plan}/assign", {"client_id": str(their_client), "starts_on": "2026-12-01"}),
            (f"/admin/exercises/{their_exercise.id}", {"name_pt": "Mine", "muscles": "back"}),
            (f"/admin/exercises/{their_exercise.id}/remove", {})):
        assert (await post(web, path, token, **fields)).status == 404, path
    response = await post(web, f"/admin/programs/{mine}/items", token,
                          **{**BENCH, "day_id": str(my_day), "exercise_key": f"custom:{their_exercise.id}"})
    assert response.status == 400 and "Pick an exercise from the library." in await response.text()
    assert await counts(runtime) == before
    assert (await fresh(runtime, Program, theirs.id)).name == "Their program"
    assert "Remada deles" not in await (await web.get("/admin/exercises")).text()


async def test_a_trainer_cannot_open_or_assign_to_a_client_who_is_not_theirs(web: TestClient, runtime: Runtime,
                                                                             business: Business) -> None:
    client_id = await a_client(runtime, business)
    async with runtime.sessions.begin() as session:
        template = await program_edits.create_program(session, business.id, NOW, name="Base", weeks=1)
        copy = await program_edits.assign_program(session, business.id, template.id, client_id, date(2026, 12, 1), NOW)
    token, _ = await as_trainer(web, runtime, business)
    assert (await web.get(f"/admin/programs/{copy.id}")).status == 404
    assert (await post(web, f"/admin/programs/{copy.id}/days", token, week="1", weekday="2")).status == 404
    assert (await post(web, f"/admin/programs/{template.id}/assign", token, client_id=str(client_id),
                       starts_on="2026-12-01")).status == 404
    page = await (await web.get("/admin/programs")).text()
    assert "Base" in page and "Maria Souza" not in page


async def test_training_forms_without_the_csrf_token_are_refused(web: TestClient, runtime: Runtime, business: Business) -> None:
    token = await as_owner(web, runtime, business)
    program_id = await new_program(web, token)
    before = await counts(runtime)
    for path, fields in (("/admin/programs", {"name": "No token", "weeks": "2"}),
                         (f"/admin/programs/{program_id}/days", {"week": "1", "weekday": "0"}),
                         ("/admin/meal-plans", {"name": "No token"}),
                         ("/admin/exercises", {"name_pt": "Sem token", "muscles": "chest"})):
        response = await web.post(path, data=fields, allow_redirects=False)
        assert response.status == 403, path
        response = await web.post(path, data={**fields, "csrf_token": "forged"}, allow_redirects=False)
        assert response.status == 403, path
    assert await counts(runtime) == before


async def test_a_custom_exercise_with_a_video_is_usable_in_a_program(web: TestClient, runtime: Runtime,
                                                                     business: Business) -> None:
    token = await as_owner(web, runtime, business)
    response = await web.post("/admin/exercises", data=[
        ("csrf_token", token), ("name_pt", "Supino na máquina articulada"), ("name_en", "Hammer strength press"),
        ("aliases", "hammer, supino hammer ,"), ("muscles", "chest"), ("muscles", "triceps"), ("equipment", "machine"),
        ("kind", "strength"), ("video_url", "https://videos.test/hammer")], allow_redirects=False)
    assert response.status == 302
    async with runtime.sessions() as session:
        row = (await session.execute(select(CustomExercise))).scalar_one()
    assert (row.aliases, row.muscles, row.video_url) == (["hammer", "supino hammer"], ["chest", "triceps"],
                                                          "https://videos.test/hammer")
    key = f"custom:{row.id}"
    library_page = await (await web.get("/admin/exercises?q=HAMMER")).text()
    assert "Supino na máquina articulada" in library_page and "Supino reto" not in library_page

    program_id = await new_program(web, token)
    day_id = await add_day(web, token, program_id)
    assert f'<option value="{key}"' in await (await web.get(f"/admin/programs/{program_id}")).text()
    item_id = await add_item(web, token, program_id, day_id, **{**BENCH, "exercise_key": key})
    assert (await fresh(runtime, ProgramItem, item_id)).exercise_key == key
    page = await (await web.get(f"/admin/programs/{program_id}")).text()
    assert "Supino na máquina articulada" in page and 'href="https://videos.test/hammer"' in page

    refused = await post(web, f"/admin/exercises/{row.id}/remove", token)
    assert refused.status == 400 and "1 program prescribe it" in html.unescape(await refused.text())
    await post(web, f"/admin/programs/{program_id}/items/{item_id}/remove", token)
    assert (await post(web, f"/admin/exercises/{row.id}/remove", token)).status == 302
    assert await fresh(runtime, CustomExercise, row.id) is None


async def test_the_library_searches_names_and_aliases_without_accents_and_filters_by_muscle(
        web: TestClient, runtime: Runtime, business: Business) -> None:
    await as_owner(web, runtime, business)
    found = await (await web.get("/admin/exercises?q=supino")).text()
    assert "Supino reto" in found and "Agachamento livre" not in found
    by_alias = await (await web.get("/admin/exercises?q=flat bench")).text()
    assert "Supino reto" in by_alias
    legs = await (await web.get("/admin/exercises?muscle=quads")).text()
    assert "Agachamento livre" in legs and "Supino reto" not in legs
    accents = await (await web.get("/admin/exercises?q=agachamento")).text()
    assert "Agachamento livre" in accents
    assert (await web.get("/admin/exercises?muscle=wings&q=" + "x" * 5000)).status == 200


async def test_a_meal_plan_keeps_meals_in_time_order_and_assigning_copies_it(web: TestClient, runtime: Runtime,
                                                                             business: Business) -> None:
    client_id = await a_client(runtime, business)
    token = await as_owner(web, runtime, business)
    created = await post(web, "/admin/meal-plans", token, name="Cutting", notes="Drink water")
    plan_id = int(created.headers["Location"].rsplit("/", 1)[1])
    for fields in ({"name": "Lunch", "at_time": "12:30", "items": "rice\n\n beans \nchicken", "weekday": ""},
                   {"name": "Breakfast", "at_time": "7:30", "items": "2 eggs", "weekday": ""},
                   {"name": "Pizza night", "at_time": "20:00", "items": "one slice", "weekday": "5", "notes": "a treat"}):
        assert (await post(web, f"/admin/meal-plans/{plan_id}/meals", token, **fields)).status == 302
    async with runtime.sessions() as session:
        meals = await meal_plan_edits.meals_of(session, business.id, plan_id)
    assert [(m.name, m.at_time, m.weekday) for m in meals] == [("Breakfast", "07:30", None), ("Lunch", "12:30", None),
                                                                ("Pizza night", "20:00", 5)]
    assert meals[1].items == "rice\nbeans\nchicken"
    page = await (await web.get(f"/admin/meal-plans/{plan_id}")).text()
    assert "Every day" in page and "Saturday" in page and "rice<br>beans<br>chicken" in page

    response = await post(web, f"/admin/meal-plans/{plan_id}/assign", token, client_id=str(client_id), starts_on="2026-12-01")
    copy_id = int(response.headers["Location"].rsplit("/", 1)[1])
    copy = await fresh(runtime, MealPlan, copy_id)
    assert (copy.client_id, copy.template_id, copy.starts_on, copy.notes) == (client_id, plan_id, date(2026, 12, 1), "Drink water")
    lunch = meals[1].id
    assert (await post(web, f"/admin/meal-plans/{plan_id}/meals/{lunch}", token, name="Lunch", at_time="13:00",
                       items="salad")).status == 302
    assert (await post(web, f"/admin/meal-plans/{plan_id}/meals/{meals[0].id}/remove", token)).status == 302
    async with runtime.sessions() as session:
        copied = await meal_plan_edits.meals_of(session, business.id, copy_id)
    assert [(m.name, m.at_time, m.items) for m in copied] == [("Breakfast", "07:30", "2 eggs"),
                                                              ("Lunch", "12:30", "rice\nbeans\nchicken"),
                                                              ("Pizza night", "20:00", "one slice")]
    copy_page = html.unescape(await (await web.get(f"/admin/meal-plans/{copy_id}")).text())
    assert "Maria Souza</a>'s own meal plan, from 01/12/2026" in copy_page
    assert "Maria Souza" in await (await web.get("/admin/meal-plans")).text()


async def test_the_domain_refuses_another_business_ids(runtime: Runtime, business: Business) -> None:
    other = await other_business(runtime)
    client_id = await a_client(runtime, business)
    async with runtime.sessions.begin() as session:
        theirs = await program_edits.create_program(session, other.id, NOW, name="Theirs", weeks=1)
        day = await program_edits.add_day(session, other.id, theirs.id, week=1, weekday=0)
        mine = await program_edits.create_program(session, business.id, NOW, name="Mine", weeks=1)
        plan = await meal_plan_edits.create_plan(session, other.id, NOW, name="Theirs")
    async with runtime.sessions() as session:
        for attempt in (program_edits.get_program(session, business.id, theirs.id),
                        program_edits.add_day(session, business.id, theirs.id, week=1, weekday=1),
                        program_edits.add_item(session, business.id, mine.id, day.id, Prescription("bench_press")),
                        program_edits.copy_program(session, business.id, theirs.id, NOW),
                        program_edits.assign_program(session, other.id, theirs.id, client_id, date(2026, 12, 1), NOW),
                        meal_plan_edits.assign_plan(session, business.id, plan.id, client_id, date(2026, 12, 1), NOW),
                        exercise_edits.get_custom(session, business.id, 1)):
            with pytest.raises(NotFound):
                await attempt
