package dev.portmanager.cli;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Registry strings reach tables from any host that can write to Redis: none of them may drive the terminal. */
class TableTest {

    @Test
    void controlCharactersInCellsArePrintedAsQuestionMarks() {
        String clearScreen = "evil\u001b[2J\u001b]0;title\u0007";
        String c1 = "csi\u009b31m";
        String trojan = "admin\u202e\u2066x";
        String lines = "two\r\nlines\u0000";
        StringWriter out = new StringWriter();
        new Table("SERVICE", "HOST").row(clearScreen, c1).row(trojan, lines).print(new PrintWriter(out));
        String[] printed = out.toString().split("\n");
        assertEquals(3, printed.length, out.toString());
        assertEquals("evil?[2J?]0;title?  csi?31m", printed[1]);
        assertEquals("admin??x            two??lines?", printed[2]);
        out.toString().chars().filter(c -> c != '\n').forEach(c ->
                assertEquals(false, Character.isISOControl(c), "control character " + c + " in " + out));
    }

    @Test
    void ordinaryTextIsUntouched() {
        assertEquals("web-01.example:8080 ñandú", TerminalText.safe("web-01.example:8080 ñandú"));
    }
}
