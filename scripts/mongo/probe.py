"""What nx-27017 does differently from MongoDB, as lucia-mongodb met it. Run with the service's
venv (it has pymongo):

    $LUCIA_SERVICES_DIR/mongo/venv/bin/python scripts/mongo/probe.py "$LUCIA_MONGODB_URL"

Prints one line per finding, `MONGODB-LIKE` or `DIFFERS`, and exits 0 either way (it records
behaviour; lucia-mongodb's tests assert what the store relies on). Uses the database
`lucia_probe`, which it drops first.
"""
import datetime
import sys

import pymongo

url = sys.argv[1] if len(sys.argv) > 1 else "mongodb://127.0.0.1:57017/"
a = pymongo.MongoClient(url, serverSelectionTimeoutMS=3000)
b = pymongo.MongoClient(url, serverSelectionTimeoutMS=3000)
a.drop_database("lucia_probe")
db = a["lucia_probe"]


def report(name, mongodb_like, detail):
    print(f"{'MONGODB-LIKE' if mongodb_like else 'DIFFERS':12} {name}: {detail}")


hello = a.admin.command("hello")
report(
    "hello advertises a replica set or mongos (transactions)",
    "setName" in hello or hello.get("msg") == "isdbgrid",
    {k: hello.get(k) for k in ("setName", "msg", "maxWireVersion", "logicalSessionTimeoutMinutes")},
)

when = datetime.datetime(2030, 1, 1, tzinfo=datetime.timezone.utc)
db.d.insert_one({"_id": "x", "at": when})
db.d.update_one({"_id": "x"}, {"$set": {"at": when + datetime.timedelta(days=1)}})
stored = db.d.find_one({"_id": "x"})["at"]
report("$set of a date stores a date", isinstance(stored, datetime.datetime), repr(stored))

db.d.insert_one({"_id": "y", "at": when})
db.d.update_one({"_id": "y"}, {"$max": {"at": when + datetime.timedelta(days=1)}})
stored = db.d.find_one({"_id": "y"})["at"]
report("$max with a later date moves it", stored != when.replace(tzinfo=None), repr(stored))

db.d.replace_one({"_id": "y"}, {"at": when + datetime.timedelta(days=2)})
stored = db.d.find_one({"_id": "y"})["at"]
report("replace_one keeps dates", isinstance(stored, datetime.datetime), repr(stored))

try:
    db.d.update_one({"_id": "y"}, [{"$set": {"n": 1}}])
    report("pipeline updates", True, "accepted")
except pymongo.errors.PyMongoError as err:
    report("pipeline updates", False, str(err)[:120])

db.u.insert_one({"_id": "u1", "name": "Ada"})
db.s.insert_one({"_id": "s1", "user_id": "u1"})
joined = list(db.s.aggregate([{"$lookup": {"from": "u", "localField": "user_id", "foreignField": "_id", "as": "user"}}]))
report("$lookup yields an array of documents", isinstance(joined[0]["user"], list), repr(joined[0]["user"]))

db.t.create_index([("at", 1)], expireAfterSeconds=3600, name="lucia_ttl")
names = [i["name"] for i in db.t.list_indexes()]
report("createIndexes keeps the index name", "lucia_ttl" in names, names)
db.t.insert_one({"_id": "old", "at": datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=1)})
report(
    "TTL deletion is lazy (an expired document is readable right after insert)",
    db.t.find_one({"_id": "old"}) is not None,
    "nx purges expired documents before each read/write of the collection",
)

db.k.insert_one({"_id": "dup"})
try:
    db.k.insert_one({"_id": "dup"})
except pymongo.errors.DuplicateKeyError as err:
    report("duplicate key error message names the index as MongoDB does", "index: " in str(err.details.get("errmsg")), err.details)

db.c.insert_one({"_id": "setup"})
with a.start_session() as s:
    s.start_transaction()
    db.c.insert_one({"_id": "in_txn"}, session=s)
    dirty = b["lucia_probe"]["c"].find_one({"_id": "in_txn"}) is not None
    b["lucia_probe"]["c"].insert_one({"_id": "by_other_client"})
    s.abort_transaction()
survived = b["lucia_probe"]["c"].find_one({"_id": "by_other_client"}) is not None
report("other clients do not see uncommitted writes", not dirty, f"dirty read: {dirty}")
report("an abort keeps other clients' writes", survived, f"other client's insert survived the abort: {survived}")
a.drop_database("lucia_probe")
