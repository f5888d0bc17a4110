-- A person's e-mail address, given by themselves on their profile (optional): where
-- invitations to meetings and the reports of the meetings they organize are sent.
ALTER TABLE people ADD COLUMN email TEXT;
