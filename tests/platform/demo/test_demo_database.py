"""Demo data goes only into a demo database, and finds its records by stable keys.

A producer that renamed itself (or a co-op that renamed its cold store) is still the demo's
record: re-seeding (`make run` again) completes nothing twice and never fails. A database
holding real producers or accounts never gets the demo accounts and their published password.
"""

from __future__ import annotations

from sqlalchemy import delete, func, select, update

from freshcircle.platform.core.services.places import update_place
from freshcircle.platform.demo import content as c
from freshcircle.platform.demo import seed_demo
from freshcircle.platform.demo.database import demo_phones
from freshcircle.platform.farms.services.producers import update_producer
from freshcircle.platform.models import DemoDatabase, Membership, Place, Producer, User

DEMO_PHONES = {s.person.phone for s in c.SIGN_INS}


def _count(session, model, *where) -> int:
    return session.scalar(select(func.count()).select_from(model).where(*where))


def _demo_producer(session, spec: c.ProducerSpec) -> Producer:
    return session.scalar(select(Producer).where(Producer.name == spec.full_name))


def test_reseeding_after_a_demo_producer_and_its_cold_store_were_renamed(session):
    seed_demo(session)
    session.commit()
    spec = c.PRODUCERS_BY_KEY[c.TAIHE_STORE.producer_key]
    producer = _demo_producer(session, spec)
    manager = session.scalar(select(User).where(User.phone == spec.manager.phone))
    update_producer(session, manager, producer, {"name": "太和县绿乡香椿合作社（新名）"})
    store = session.scalar(select(Place).where(Place.name_en == c.TAIHE_STORE.name_en))
    update_place(session, manager, store, {"name_zh": "绿乡冷库", "name_en": "Lvxiang Store"})
    session.commit()
    producers, places, users = (_count(session, Producer), _count(session, Place),
                                _count(session, User))

    again = seed_demo(session)
    session.commit()

    assert not +again.created, again.created  # nothing made twice
    assert (_count(session, Producer), _count(session, Place), _count(session, User)) == (
        producers, places, users)
    session.refresh(producer)
    session.refresh(store)
    assert producer.name == "太和县绿乡香椿合作社（新名）"  # the producer's edit stands
    assert store.name_en == "Lvxiang Store"


def test_seed_command_refuses_a_database_with_real_producers(app, session, make):
    make.producer(make.user(), name="真实合作社")

    result = app.test_cli_runner().invoke(args=["seed-demo"])

    assert result.exit_code == 1, result.output
    assert "real producers or accounts" in result.output
    assert "Traceback" not in result.output
    assert _count(session, User, User.phone.in_(DEMO_PHONES)) == 0  # no published password
    assert _count(session, Producer, Producer.is_sample) == 0


def test_seed_command_refuses_a_database_with_real_accounts(app, session, make):
    make.user(phone="13812345678", name="真实管理员")

    result = app.test_cli_runner().invoke(args=["seed-demo"])

    assert result.exit_code == 1, result.output
    assert _count(session, User, User.phone.in_(DEMO_PHONES)) == 0


def test_make_run_leaves_a_real_database_alone_and_still_serves(app, session, make):
    make.producer(make.user(), name="真实合作社")

    result = app.test_cli_runner().invoke(args=["seed-demo", "--only-demo-database"])

    assert result.exit_code == 0, result.output  # make run goes on to serve the database
    assert "Not a demo database" in result.output
    assert _count(session, User, User.phone.in_(DEMO_PHONES)) == 0


def test_a_demo_database_stays_one_when_its_users_add_real_looking_records(app, session, make):
    first = app.test_cli_runner().invoke(args=["seed-demo", "--only-demo-database"])
    assert first.exit_code == 0, first.output
    make.producer(make.user(), name="试用者新建的合作社")  # someone trying the demo adds one

    again = app.test_cli_runner().invoke(args=["seed-demo", "--only-demo-database"])

    assert again.exit_code == 0, again.output
    assert "[13/13]" in again.output


def test_every_account_the_seed_makes_is_a_known_demo_account(session):
    seed_demo(session)
    session.commit()

    phones = set(session.scalars(select(User.phone)))

    assert phones and phones <= demo_phones()  # else a demo database would look real


def test_a_database_seeded_before_demo_keys_is_completed_and_keyed(session):
    seed_demo(session)
    session.commit()
    # As an earlier version left it: no demo keys, no mark.
    session.execute(update(Producer).values(demo_key=None))
    session.execute(update(Place).values(demo_key=None))
    session.execute(delete(DemoDatabase))
    session.commit()

    again = seed_demo(session)
    session.commit()

    assert not +again.created, again.created
    assert _count(session, Producer, Producer.demo_key.is_(None)) == 0
    assert _count(session, Place, Place.demo_key.is_not(None)) == len(c.DEMO_PLACES) + len(
        c.DISPATCH_BUYERS)
    assert _count(session, DemoDatabase) == 1


def test_reseeding_after_every_sample_producer_renamed_itself_and_lost_a_member(session):
    seed_demo(session)
    session.commit()
    for number, spec in enumerate(c.PRODUCERS):
        producer = _demo_producer(session, spec)
        manager = session.scalar(select(User).where(User.phone == spec.manager.phone))
        update_producer(session, manager, producer, {"name": f"改名后的生产者{number}"})
    member_spec = next(spec for spec in c.PRODUCERS if spec.members)
    member = session.scalar(select(User).where(User.phone == member_spec.members[0].phone))
    session.execute(delete(Membership).where(Membership.user_id == member.id))
    session.commit()
    memberships = _count(session, Membership)

    again = seed_demo(session)
    session.commit()

    assert not +again.created, again.created
    assert _count(session, Membership) == memberships  # a removed member stays removed
    assert _count(session, Producer, Producer.name.like("改名后的生产者%")) == len(c.PRODUCERS)
