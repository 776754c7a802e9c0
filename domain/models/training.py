"""Training: programs (templates and clients' copies), what clients log, their records and measurements,
meal plans and challenges.

Exercises are named by key: a library key ("bench_press", shipped with the code) or "custom:<id>"
for one a trainer added (`custom_exercises`).
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, Float, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base
from domain.sql.types import BigId, Json, UTCDateTime


class CustomExercise(Base):
    """An exercise a trainer added to their business's library, with an optional video link."""

    __tablename__ = "custom_exercises"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id", ondelete="CASCADE"), index=True)
    name_pt: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    aliases: Mapped[list[str]] = mapped_column(Json, default=list)
    muscles: Mapped[list[str]] = mapped_column(Json, default=list)
    equipment: Mapped[str] = mapped_column(String(32), default="other")
    kind: Mapped[str] = mapped_column(String(16), default="strength")  # strength | bodyweight | time | distance
    video_url: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Program(Base):
    """A training program: a template (client_id NULL) or one client's own copy, from `starts_on`.

    Days are weekdays of numbered weeks; after its last week a program starts over at week 1.
    """

    __tablename__ = "programs"
    __table_args__ = (CheckConstraint("weeks BETWEEN 1 AND 52", name="weeks_range"),
                      Index("ix_programs_client_active", "client_id", "active"))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    template_id: Mapped[int | None] = mapped_column(ForeignKey("programs.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(120))
    weeks: Mapped[int] = mapped_column(Integer, default=1)
    notes: Mapped[str | None] = mapped_column(Text)
    starts_on: Mapped[date | None] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ProgramDay(Base):
    """One training day of a program: week 1.., weekday 0 (Monday)..6."""

    __tablename__ = "program_days"
    __table_args__ = (CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_range"),
                      Index("ux_program_days_slot", "program_id", "week", "weekday", unique=True))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    week: Mapped[int] = mapped_column(Integer, default=1)
    weekday: Mapped[int] = mapped_column(Integer)
    title: Mapped[str | None] = mapped_column(String(120))


class ProgramItem(Base):
    """One prescribed exercise of a day. Items sharing a `superset` label are done back to back."""

    __tablename__ = "program_items"
    __table_args__ = (Index("ix_program_items_day", "day_id", "position"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    day_id: Mapped[int] = mapped_column(ForeignKey("program_days.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    exercise_key: Mapped[str] = mapped_column(String(80))
    sets: Mapped[int | None] = mapped_column(Integer)
    reps: Mapped[int | None] = mapped_column(Integer)
    duration_s: Mapped[int | None] = mapped_column(Integer)
    distance_m: Mapped[int | None] = mapped_column(Integer)
    load_kg: Mapped[float | None] = mapped_column(Float)
    load_pct_1rm: Mapped[int | None] = mapped_column(Integer)
    rpe: Mapped[float | None] = mapped_column(Float)
    rest_s: Mapped[int | None] = mapped_column(Integer)
    superset: Mapped[str | None] = mapped_column(String(8))
    # Added to load_kg when the client logged every prescribed rep last time (applied as the day is sent).
    progression_kg: Mapped[float | None] = mapped_column(Float)
    notes: Mapped[str | None] = mapped_column(String(300))


class WorkoutSession(Base):
    """One client's training on one local day: opened by the first log, closed by "terminei"."""

    __tablename__ = "workout_sessions"
    __table_args__ = (Index("ix_workout_sessions_client_day", "client_id", "local_date"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    local_date: Mapped[date] = mapped_column(Date)
    program_day_id: Mapped[int | None] = mapped_column(ForeignKey("program_days.id", ondelete="SET NULL"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class WorkoutLog(Base):
    """One logged exercise: sets × reps × load as written (and in kg), or a distance and/or a time."""

    __tablename__ = "workout_logs"
    __table_args__ = (Index("ix_workout_logs_client_exercise", "client_id", "exercise_key", "logged_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    session_id: Mapped[int] = mapped_column(ForeignKey("workout_sessions.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("program_items.id", ondelete="SET NULL"))
    exercise_key: Mapped[str] = mapped_column(String(80))
    sets: Mapped[int | None] = mapped_column(Integer)
    reps: Mapped[int | None] = mapped_column(Integer)
    load: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str | None] = mapped_column(String(4))  # kg | lb
    load_kg: Mapped[float | None] = mapped_column(Float)
    distance_m: Mapped[float | None] = mapped_column(Float)
    duration_s: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str | None] = mapped_column(String(300))
    logged_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PersonalRecord(Base):
    """A best beaten: heaviest load for a number of reps, estimated 1RM, longest distance, fastest pace."""

    __tablename__ = "personal_records"
    __table_args__ = (Index("ix_personal_records_client", "client_id", "exercise_key", "kind"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    log_id: Mapped[int] = mapped_column(ForeignKey("workout_logs.id", ondelete="CASCADE"))
    exercise_key: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(16))  # load | e1rm | distance | pace
    reps: Mapped[int | None] = mapped_column(Integer)  # a load record's reps
    value: Mapped[float] = mapped_column(Float)  # kg, kg, metres, seconds per km
    previous: Mapped[float | None] = mapped_column(Float)
    achieved_at: Mapped[datetime] = mapped_column(UTCDateTime)


PHOTO_PENDING = "kind = 'photo' AND media_path IS NULL"


class Measurement(Base):
    """A body measurement the client sent ("peso 62kg", "cintura 70cm") or a progress photo's media id."""

    __tablename__ = "measurements"
    __table_args__ = (Index("ix_measurements_client", "client_id", "kind", "taken_at"),
                      Index("ix_measurements_photo_pending", "taken_at", postgresql_where=text(PHOTO_PENDING),
                            sqlite_where=text(PHOTO_PENDING)))

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # weight | body_fat | waist | hip | chest | arm | thigh | photo
    value: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str | None] = mapped_column(String(4))  # kg | cm | %
    media_id: Mapped[str | None] = mapped_column(String(128))
    # Where a downloaded photo was kept, under MEDIA_DIR; "" when its download failed for good.
    media_path: Mapped[str | None] = mapped_column(String(300))
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime)


class MealPlan(Base):
    """Meals per day with items and notes: a template (client_id NULL) or a client's copy."""

    __tablename__ = "meal_plans"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), index=True)
    template_id: Mapped[int | None] = mapped_column(ForeignKey("meal_plans.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(120))
    notes: Mapped[str | None] = mapped_column(Text)
    starts_on: Mapped[date | None] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Meal(Base):
    """One meal of a plan; weekday NULL means every day."""

    __tablename__ = "meals"
    __table_args__ = (Index("ix_meals_plan", "plan_id", "position"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("meal_plans.id", ondelete="CASCADE"))
    weekday: Mapped[int | None] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(String(80))
    at_time: Mapped[str | None] = mapped_column(String(5))  # "07:30"
    items: Mapped[str] = mapped_column(Text)  # one per line
    notes: Mapped[str | None] = mapped_column(String(300))


class Challenge(Base):
    """A studio challenge: `target` training days between two local dates ("12 treinos em dezembro")."""

    __tablename__ = "challenges"
    __table_args__ = (CheckConstraint("ends_on >= starts_on", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    target: Mapped[int] = mapped_column(Integer)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ChallengeEntry(Base):
    """A client in a challenge; on the leaderboard (by first name) only when they opted in."""

    __tablename__ = "challenge_entries"

    challenge_id: Mapped[int] = mapped_column(ForeignKey("challenges.id", ondelete="CASCADE"), primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id", ondelete="CASCADE"), primary_key=True)
    business_id: Mapped[int] = mapped_column(ForeignKey("businesses.id", ondelete="CASCADE"), index=True)
    on_leaderboard: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime)
