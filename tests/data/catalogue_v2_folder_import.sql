-- The rows thumbgen wrote at schema version 2 (before issue 10) for `thumbgen import models` of a folder
-- models/lamp/ holding lamp.obj, lamp.mtl, lamp.png, generate.py and LICENSE.md (sqlite3 .dump, INSERTs only: the
-- test makes the version-2 tables with the migrations). The old importer published every file of the folder.
-- @MODELS@ stands for the models folder.
INSERT OR REPLACE INTO assets VALUES(1,'lamp-lamp-obj-c90b0796','lamp','','PUBLIC','COMPLETE','',NULL,NULL,NULL,'','',1796402921,1796402921,1,'@MODELS@/lamp','85506c5af20d6941',0,NULL,NULL,0);
INSERT OR REPLACE INTO formats VALUES(1,1,'OBJ','lamp.obj',1);
INSERT OR REPLACE INTO resources VALUES(1,1,'lamp.obj','model/obj');
INSERT OR REPLACE INTO resources VALUES(2,1,'LICENSE.md','application/octet-stream');
INSERT OR REPLACE INTO resources VALUES(3,1,'generate.py','application/octet-stream');
INSERT OR REPLACE INTO resources VALUES(4,1,'lamp.mtl','model/mtl');
INSERT OR REPLACE INTO resources VALUES(5,1,'lamp.png','image/png');
INSERT OR REPLACE INTO missing_counts VALUES(0,1);
INSERT OR REPLACE INTO missing_counts VALUES(1,1);
INSERT OR REPLACE INTO thumbnail_jobs VALUES(1,1,'queued',0,0,0,NULL,0,0,NULL,0,1796402921,1796402921);
INSERT OR REPLACE INTO counters VALUES('fencing_token',0);
