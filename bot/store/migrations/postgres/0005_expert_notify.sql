-- 4: Ask the experts: how the member who asked is told (channel reply or DM), and the message a
-- "Find FAQ answer" was used on (the reply goes under it) (issue 16; bot/store/forums.py)
ALTER TABLE expert_questions ADD COLUMN notify TEXT NOT NULL DEFAULT 'channel';
ALTER TABLE expert_questions ADD COLUMN reply_to BIGINT;
