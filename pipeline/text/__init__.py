"""Text: takes the words OCR read (or text an earlier OCR produced); gives them repaired, with marks restored,
a confidence and a flag each (`repair`), from the syllable grammar (`vietnamese`), the tokens (`tokens`), the
lexicon and language model (`lexicon`, `lm`) and the OCR confusion model (`channel`); text in a legacy
Vietnamese encoding (TCVN3, VNI, VISCII) is first converted to Unicode (`legacy`). `corpus` is the project's
own text they are trained on.
"""
